import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExecutionInput } from "../../lambdas/core/batch/execution.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { BATCH_SYNC_ASL } from "../../local/batch-workflow/definition.ts";
import { type BatchStageHandlers, runBatchLocally } from "../../local/batch-workflow/run.ts";
import { sandboxStageHandlers } from "../../local/batch-workflow/stage-handlers.ts";
import { FileObjectStore } from "../../local/file-object-store.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";

let sandbox: Sandbox;
let jobs = 0;

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
});
afterAll(async () => sandbox?.close());

const T0 = Date.parse("2026-11-01T08:00:00Z");
const priceLines = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      entityType: "price",
      entityKey: `${prefix}-${i}`,
      sourceTs: T0,
      attributes: { amount: "9.99", currency: "USD" },
    }),
  );

/** The definition file's text with one state edited (a copy: the file is never changed). */
function editedDefinition(edit: (states: Record<string, Record<string, unknown>>) => void): string {
  const definition = JSON.parse(readFileSync(BATCH_SYNC_ASL, "utf8"));
  edit(definition.States);
  return JSON.stringify(definition);
}

/**
 * Imports JSON Lines of the canonical vendor as `vendor-sync import` does (the sandbox's stage
 * handlers on its store, run by the state machine), with the definition file or an edited copy.
 */
async function importLines(lines: readonly string[], options: { definition?: string; spy?: (stage: string) => void }) {
  const store = new FileObjectStore(tempDir("vendor-sync-bucket-"));
  const text = `${lines.join("\n")}\n`;
  const wired = sandboxStageHandlers({
    vendors: { get: (id) => sandbox.vendor(id) },
    client: sandbox.dynamo.client,
    recordsTableName: sandbox.dynamo.tables.records,
    jobs: sandbox.sync,
    records: sandbox.records,
    interpreter: sandbox.interpreter,
    store,
    openSource: async () => ({ body: Readable.from([Buffer.from(text)]), lastModified: T0 }),
  });
  const handlers = Object.fromEntries(
    Object.entries(wired).map(([stage, handler]) => [
      stage,
      (event: unknown) => {
        options.spy?.(stage);
        return handler(event);
      },
    ]),
  ) as unknown as BatchStageHandlers;
  const input = buildExecutionInput({
    vendor: sandbox.vendor("canonical"),
    jobId: `CONTRACT${String(++jobs).padStart(4, "0")}`,
    source: { bucket: "local", key: "feed.jsonl" },
    trigger: "cli",
    asOf: T0,
    full: false,
    dryRun: false,
  });
  const outcome = await runBatchLocally(input, handlers, store, {
    retryDelayMs: 1,
    ...(options.definition ? { definition: options.definition } : {}),
  });
  return { outcome, store, jobId: input.jobId };
}

const price = (key: string) => sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: key });

describe("the sandbox runs statemachines/batch-sync.asl.json (aws-local-stepfunctions)", () => {
  it("imports through the file's states: prepare, the plan Map, validate, the apply Map, commit", async () => {
    const stages: string[] = [];
    const { outcome, store, jobId } = await importLines(priceLines("FILE", 3), { spy: (s) => stages.push(s) });
    expect(outcome).toMatchObject({ kind: "committed", result: { status: "SUCCEEDED", counts: { created: 3 } } });
    expect(stages).toEqual(["prepare", "plan", "validate", "apply", "commit"]);
    expect(await price("FILE-0")).toMatchObject({ attributes: { amount: 999 } });
    // Each Distributed Map's ResultWriter left a Map Run manifest under the job's prefix.
    const manifests: string[] = [];
    for await (const key of store.list(`results/canonical/${jobId}/map-runs/`)) {
      if (key.endsWith("/manifest.json")) manifests.push(key);
    }
    expect(manifests).toHaveLength(2);
  });

  it("follows an edited copy: with Validate skipped, the import fails and writes nothing", async () => {
    const skipsValidation = editedDefinition((states) => {
      (states.Plan as { Next: string }).Next = "Commit";
    });
    const stages: string[] = [];
    const { outcome } = await importLines(priceLines("EDIT", 2), {
      definition: skipsValidation,
      spy: (s) => stages.push(s),
    });
    expect(stages).toEqual(["prepare", "plan", "commit", "fail"]);
    expect(outcome).toMatchObject({ kind: "caught", error: expect.stringMatching(/validation\.json/) });
    expect(await price("EDIT-0")).toBeUndefined();
  });

  it("batches the plan Map's items by the file's ItemBatcher", async () => {
    let plans = 0;
    await importLines(priceLines("BATCH", 5), { spy: (s) => (plans += s === "plan" ? 1 : 0) });
    expect(plans).toBe(1);
    plans = 0;
    const twoPerBatch = editedDefinition((states) => {
      (states.Plan as { ItemBatcher: { MaxItemsPerBatch: number } }).ItemBatcher.MaxItemsPerBatch = 2;
    });
    const { outcome } = await importLines(priceLines("BATCH2", 5), {
      definition: twoPerBatch,
      spy: (s) => (plans += s === "plan" ? 1 : 0),
    });
    expect(outcome).toMatchObject({ kind: "committed", result: { counts: { created: 5 } } });
    expect(plans).toBe(3);
  });
});
