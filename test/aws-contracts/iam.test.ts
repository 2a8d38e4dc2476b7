import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { synthesizedAssembly } from "../support/aws/app.ts";
import { type CommandId, commandsOfBundle, functionBundles } from "../support/aws/bundles.ts";
import type { Json } from "../support/aws/cloudformation.ts";
import { type UnsentCommand, unsentCommands } from "../support/aws/coverage.ts";
import { type ContractHarness, startContractHarness } from "../support/aws/harness.ts";
import type { IamRequest } from "../support/aws/iam-requests.ts";
import { serviceMadeCalls } from "../support/aws/service-calls.ts";
import { KEPT_STATEMENTS, NOT_SENT } from "./iam-exceptions.ts";
import { batchScenario } from "./scenarios/batch.ts";
import { executionEndsScenario } from "./scenarios/execution-ends.ts";
import { operationsScenario } from "./scenarios/operations.ts";
import { realtimeScenario } from "./scenarios/realtime.ts";
import { jobEndsScenario, scheduledScenario } from "./scenarios/scheduled.ts";

let h: ContractHarness;
let bundles: Map<string, string>;
/** Calls the local engine made as the state machine without an SDK client (its Lambda invokes). */
const stateMachineInvokes: IamRequest[] = [];

beforeAll(async () => {
  const { stacks, assemblyDir } = await synthesizedAssembly();
  h = await startContractHarness(stacks);
  bundles = functionBundles(h.app, assemblyDir);
});
afterAll(async () => h?.close());

describe("the deployed functions over a capturing request handler (dynalite, fake S3/SQS/SNS/SFN/Secrets Manager)", () => {
  it("real-time: signed webhooks, queue batches, a dead-lettered message, the change stream", () =>
    realtimeScenario(h));
  it("scheduled and on-demand: the schedule's input, a pull handed to the batch workflow, admin job routes", () =>
    scheduledScenario(h));
  it("operations: internal changes, conflict review, DLQ redrive, pause and resume, replay", () =>
    operationsScenario(h));
  it("batch: uploads started by their Object Created events, every execution run over the stage functions", () =>
    batchScenario(h, stateMachineInvokes));
  it("batch executions stopped by a cancel (on-demand, admin API) and ended by their ABORTED status events", () =>
    executionEndsScenario(h, stateMachineInvokes));
  it("jobs ended by a cancel and by the watchdog; the freshness monitor", () => jobEndsScenario(h));
});

/** Requests alike for IAM: same principal, action, context, and resource (an S3 object: its bucket's top-level prefix, what grants name). */
const requestsKey = (r: IamRequest) => {
  const s3 = r.resource.match(/^(arn:aws:s3:::[^/]+\/[^/]*)/);
  return `${r.principal}|${r.action}|${s3 ? s3[1] : r.resource}|${JSON.stringify(r.context)}`;
};
const unique = (requests: IamRequest[]) => [...new Map(requests.map((r) => [requestsKey(r), r])).values()];
const denied = async (requests: IamRequest[], without?: ReadonlySet<string>) => {
  const out: string[] = [];
  for (const request of requests) {
    const decision = await h.policies.evaluate(request, without);
    if (decision !== "Allowed") out.push(`${request.origin}: ${request.action} on ${request.resource} → ${decision}`);
  }
  return out;
};
/** IAM's wildcard match (`*`, `?`), case-sensitive as for resources (actions are compared lower-cased). */
const wildcard = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(value);
const couldAllow = (statement: Json, request: IamRequest) =>
  [statement.Action].flat().some((a: string) => wildcard(a.toLowerCase(), request.action.toLowerCase())) &&
  [statement.Resource].flat().some((r: string) => wildcard(String(r), request.resource));
const entryName = (logicalId: string) =>
  h.functions.all.find((f) => f.logicalId === logicalId)?.entry.replace(/^lambdas\/|\/handler\.ts$/g, "") ?? logicalId;

describe("IAM, evaluated with @cloud-copilot/iam-simulate against the templates' policies", () => {
  const everyRequest = () =>
    unique([...h.requestsOf(h.calls), ...stateMachineInvokes, ...serviceMadeCalls(h.app, h.directory)]);

  it("allows every call the functions and the state machine made", async () => {
    const made = unique([...h.requestsOf(h.calls), ...stateMachineInvokes]);
    expect(made.length).toBeGreaterThan(100);
    expect(await denied(made)).toEqual([]);
  });

  it("allows every call AWS services make on the stack's behalf (mappings, rules, schedules, Step Functions, alarms, logs)", async () => {
    expect(await denied(unique(serviceMadeCalls(h.app, h.directory)))).toEqual([]);
  });

  it("sent every command of every bundle, or the command is granted on what its function uses, or it is listed as never sent", async () => {
    const unexplained: string[] = [];
    const stale: string[] = [];
    for (const [id, text] of bundles) {
      const name = entryName(id);
      const verdicts: UnsentCommand[] = await unsentCommands(h, id, commandsOfBundle(text));
      const listed = NOT_SENT[name] ?? {};
      for (const { command, verdict } of verdicts) {
        if (verdict !== "granted" && !listed[command]) unexplained.push(`${name}: ${command} (${verdict})`);
      }
      for (const command of Object.keys(listed) as CommandId[]) {
        const verdict = verdicts.find((v) => v.command === command)?.verdict;
        if (verdict === undefined || verdict === "granted")
          stale.push(`${name}: ${command} (${verdict ?? "sent or not bundled"})`);
      }
    }
    expect(unexplained, "bundled, never sent, and not granted: exercise it or explain it in NOT_SENT").toEqual([]);
    expect(stale, "NOT_SENT entries that no longer apply").toEqual([]);
  });

  it("denies something once any one identity statement is removed, or the statement is kept for a listed reason", async () => {
    const requests = everyRequest();
    const useless: string[] = [];
    for (const statement of h.policies.statements) {
      // Only requests the statement could allow can lose by its removal.
      const ofRole = requests.filter((r) => r.principal === statement.roleArn && couldAllow(statement.statement, r));
      const lost = await denied(ofRole, new Set([statement.id]));
      const kept = KEPT_STATEMENTS.find((k) => k.matches(statement.statement));
      if (lost.length === 0 && !kept) useless.push(`${statement.id}: ${JSON.stringify(statement.statement)}`);
      if (lost.length > 0 && kept) useless.push(`${statement.id} is listed as kept but is needed: ${lost[0]}`);
    }
    expect(useless).toEqual([]);
  });

  it("fails a call outside the grants, so the checks above mean something", async () => {
    const plan = h.functions.byEntry("batch-plan");
    const records = `arn:aws:dynamodb:${h.app.stacks[0]?.region}:${h.app.account}:table/${plan.environment.RECORDS_TABLE_NAME}`;
    const write = {
      principal: plan.roleArn,
      action: "dynamodb:PutItem",
      resource: records,
      context: {},
      origin: "test",
    };
    expect(await h.policies.evaluate(write)).toBe("ImplicitlyDenied");
    const read = { ...write, action: "dynamodb:BatchGetItem" };
    expect(await h.policies.evaluate(read)).toBe("Allowed");
  });
});
