/**
 * The batch workflow through the deployed functions: an upload's `Object Created` event (as the
 * template's EventBridge rule matches it) into the starter, then each execution it and the pull
 * worker started, run by the sandbox's engine over the deployed stage functions — with the state
 * machine's own calls (ItemReader reads, ResultWriter writes, the Notify step's publish, each Lambda
 * invoke) attributed to the state machine's role.
 */

import { S3Client } from "@aws-sdk/client-s3";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { expect } from "vitest";
import { S3ObjectStore } from "../../../lambdas/adapters/s3/object-store.ts";
import type { BatchExecutionInput } from "../../../lambdas/core/batch/model.ts";
import type { StageFunction } from "../../../local/batch-workflow/definition.ts";
import { type BatchStageHandlers, runBatchLocally } from "../../../local/batch-workflow/run.ts";
import { asFunction } from "../../support/aws/capture.ts";
import { objectCreatedEvent } from "../../support/aws/events.ts";
import type { ContractHarness } from "../../support/aws/harness.ts";
import type { IamRequest } from "../../support/aws/iam-requests.ts";
import { handOffVendors } from "./scheduled.ts";

/** Where an execution is stopped, as StopExecution stops it (no Catch runs, the job stays RUNNING). */
export interface StopBefore {
  /** The stage whose first invocation does not run. */
  readonly stage: StageFunction;
  /** Runs first (a cancel that records its request and calls StopExecution). */
  readonly first: () => Promise<void>;
}

/**
 * Runs one execution of the deployed state machine with the deployed stage functions.
 * @throws the stop's error when `stopBefore` stopped it.
 */
export async function runExecution(
  h: ContractHarness,
  input: BatchExecutionInput,
  derived: IamRequest[],
  vendors?: ReturnType<typeof handOffVendors>,
  stopBefore?: StopBefore,
): Promise<Awaited<ReturnType<typeof runBatchLocally>>> {
  const [machineId, machine] = h.app.resources("AWS::StepFunctions::StateMachine")[0] ?? [];
  if (!machineId || !machine) throw new Error("no state machine in the templates");
  const stack = h.app.stackOf(machineId);
  const substitutions = h.app.resolve(machine.Properties.DefinitionSubstitutions, stack) as Record<string, string>;
  const role = h.roleOf(machineId);
  const bucketName = substitutions.ImportsBucketName ?? "";
  const functionOf = (placeholder: string) => {
    const arn = substitutions[placeholder];
    const fn = h.functions.all.find((f) => f.arn === arn);
    if (!fn) throw new Error(`no function for ${placeholder}`);
    return fn;
  };
  const placeholders: Record<StageFunction, string> = {
    prepare: "PrepareFunctionArn",
    plan: "PlanFunctionArn",
    validate: "ValidateFunctionArn",
    apply: "ApplyFunctionArn",
    commit: "CommitFunctionArn",
    fail: "FailFunctionArn",
  };
  const stop = new AbortController();
  const stage = (name: StageFunction) => async (event: unknown) => {
    if (stopBefore?.stage === name && !stop.signal.aborted) {
      await stopBefore.first();
      stop.abort(new Error(`execution stopped before ${name}`));
      throw stop.signal.reason;
    }
    const fn = functionOf(placeholders[name]);
    // The state machine invokes the function with its role (Task Resource: the function's ARN).
    derived.push({
      principal: role,
      action: "lambda:InvokeFunction",
      resource: fn.arn,
      context: {},
      origin: `${machineId} ${name}`,
    });
    return h.functions.invoke(fn, event, vendors ? { vendors } : {});
  };
  const handlers = Object.fromEntries(
    (Object.keys(placeholders) as StageFunction[]).map((name) => [name, stage(name)]),
  ) as unknown as BatchStageHandlers;
  const region = stack.region;
  // The state machine's own calls, signed with its role's (fake) session.
  const credentials = { accessKeyId: "ASIAFAKESTATEMACHINE", secretAccessKey: "fake", sessionToken: "fake" };
  const store = new S3ObjectStore({ client: new S3Client({ region, credentials }), bucket: bucketName });
  const sns = new SNSClient({ region, credentials });
  return asFunction(machineId, () =>
    runBatchLocally(input, handlers, store, {
      bucketName,
      ...(substitutions.JobTopicArn ? { jobTopicArn: substitutions.JobTopicArn } : {}),
      retryDelayMs: 1,
      ...(stopBefore ? { signal: stop.signal } : {}),
      publish: async (message) => {
        await sns.send(new PublishCommand(message as never));
      },
    }),
  );
}

const priceLine = (key: string, amount: string) =>
  JSON.stringify({
    entityType: "price",
    entityKey: key,
    sourceTs: "2026-11-01T00:00:00Z",
    attributes: { amount, currency: "USD" },
  });

export async function batchScenario(h: ContractHarness, derived: IamRequest[]): Promise<void> {
  const starter = h.functions.byEntry("batch-start");
  const imports = String(h.functions.byEntry("batch-prepare").environment.IMPORTS_BUCKET_NAME);
  const upload = async (key: string, lines: string[], tags: Record<string, string> = {}) => {
    const file = `${lines.join("\n")}\n`;
    h.services.putObject(imports, key, file, tags);
    const answer = await h.functions.invoke(starter, objectCreatedEvent(h.app, imports, key, file.length, "v1"));
    expect(answer).toMatchObject({ outcome: "started" });
  };
  // Written through the apply Map, one row rejected with its line.
  const prices = ["5.00", "7.00", "9.00", "11.00", "13.00"].map((amount, i) => priceLine(`B-${i}`, amount));
  await upload("imports/canonical/feed.jsonl", [...prices, '{"entityType":"price"}']);
  // Prices that moved past the vendor's guard since: conflicts opened while applying, notified.
  await upload(
    "imports/canonical/repriced.jsonl",
    ["50.00", "70.00"].map((amount, i) => priceLine(`B-${i}`, amount)),
  );
  // A full snapshot: tombstones planned per shard of the vendor index (the mass-deletion guard may refuse it).
  await upload("imports/canonical/snapshot.jsonl", prices, { "vendor-sync:full": "true" });
  // A file the vendor's format cannot read: the Catch marks the job failed.
  await upload("imports/magento-luma/not-csv.jsonl", [priceLine("M-1", "1.00")]);

  const outcomes: string[] = [];
  for (const execution of h.services.executions.splice(0)) {
    const input = JSON.parse(execution.input ?? "{}") as BatchExecutionInput;
    const fromPull = execution.name?.startsWith("pull-") ?? false;
    const outcome = await runExecution(h, input, derived, fromPull ? handOffVendors() : undefined);
    outcomes.push(outcome.kind === "committed" ? outcome.result.status : "caught");
  }
  expect(outcomes).toContain("caught");
  expect(outcomes.filter((o) => o === "SUCCEEDED" || o === "PARTIAL").length).toBeGreaterThanOrEqual(2);
}
