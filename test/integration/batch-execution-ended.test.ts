/**
 * On AWS, a batch execution that ends outside its Catch (stopped, timed out, failed where no Catch
 * applies) leaves its job RUNNING; its status change event ends it (`endJobOfExecution`). Here the
 * execution is the sandbox's run of the same state machine over the same stage handlers, on
 * dynalite and a folder for S3, stopped mid-apply as StopExecution stops it (no Catch runs).
 */
import { createReadStream, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ulid } from "ulid";
import { afterEach, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import type { SourceOpener } from "../../lambdas/adapters/s3/uploads.ts";
import { buildExecutionInput, executionNameFor } from "../../lambdas/core/batch/execution.ts";
import type { JobNotification } from "../../lambdas/core/batch/jobs.ts";
import { jobKeys } from "../../lambdas/core/batch/layout.ts";
import type { BatchExecutionInput } from "../../lambdas/core/batch/model.ts";
import { type ExecutionEnd, endJobOfExecution } from "../../lambdas/core/jobs/execution-ended.ts";
import { countsReconcile } from "../../lambdas/core/outcomes.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { runBatchLocally } from "../../local/batch-workflow/run.ts";
import { sandboxStageHandlers } from "../../local/batch-workflow/stage-handlers.ts";
import { sandboxBucket } from "../../local/commands/import.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";

const ROWS = 5_000;
const STATE_MACHINE = "arn:aws:states:eu-central-1:123456789012:stateMachine:vendor-sync-batch";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** A canonical CSV of `rows` prices. */
function prices(rows: number): string {
  const file = join(tempDir(), "prices.csv");
  const lines = Array.from({ length: rows }, (_, i) => `price,P-${i},2026-11-01T00:00:00Z,${1 + (i % 90)}.00`);
  writeFileSync(file, `entityType,entityKey,sourceTs,attributes.amount\n${lines.join("\n")}\n`);
  return file;
}

/** A sandbox whose canonical vendor applies one part at a time (a 5,000-row file: 5 parts). */
async function open(): Promise<Sandbox> {
  const vendors = new Map(loadVendorConfigs());
  vendors.set("canonical", { ...(vendors.get("canonical") as VendorConfig), maxConcurrency: 1 });
  sandbox = await openSandbox({ dataDir: tempDir(), command: "test", log: silentLog, vendors });
  return sandbox;
}

/**
 * Runs an upload's execution until apply has written its first changes, then stops it as
 * StopExecution does (`beforeStop` runs first: a cancel records its request before it stops).
 * @returns the execution's input, once the stopped run has settled.
 */
async function stoppedMidApply(s: Sandbox, beforeStop: (jobId: string) => Promise<void>): Promise<BatchExecutionInput> {
  const file = prices(ROWS);
  const input = buildExecutionInput({
    vendor: s.vendor("canonical"),
    jobId: ulid(),
    source: { bucket: "vendor-sync-imports", key: "imports/canonical/prices.csv", versionId: "v1" },
    trigger: "upload",
  });
  const openSource: SourceOpener = async () => ({
    body: createReadStream(file),
    lastModified: Date.now(),
    size: statSync(file).size,
  });
  const stop = new AbortController();
  let stopping: Promise<void> | undefined;
  const handlers = sandboxStageHandlers({
    vendors: { get: (id: string) => s.vendor(id) },
    client: s.dynamo.client,
    recordsTableName: s.dynamo.tables.records,
    jobs: s.sync,
    records: s.records,
    interpreter: s.interpreter,
    store: sandboxBucket(s),
    openSource,
    observe: (results) => {
      if (stopping || !results.some((r) => r.outcome === "created")) return;
      stopping = beforeStop(input.jobId).then(() => stop.abort(new Error("stopped")));
    },
  });
  await expect(runBatchLocally(input, handlers, sandboxBucket(s), { signal: stop.signal })).rejects.toThrow("stopped");
  await stopping;
  return input;
}

/** The status change's detail for the execution of `input`. */
function executionEnd(input: BatchExecutionInput, status: ExecutionEnd["status"], extra: Partial<ExecutionEnd> = {}) {
  const name = executionNameFor(input.source);
  return {
    executionArn: `${STATE_MACHINE.replace(":stateMachine:", ":execution:")}:${name}`,
    name,
    status,
    input: JSON.stringify(input),
    error: null,
    cause: null,
    ...extra,
  };
}

/** Records of the import the job wrote. */
async function writtenBy(s: Sandbox, jobId: string): Promise<number> {
  const keys = Array.from({ length: ROWS }, (_, i) => ({
    vendorId: "canonical",
    entityType: "price" as const,
    entityKey: `P-${i}`,
  }));
  return [...(await s.records.getMany(keys)).values()].filter((record) => record.lastJobId === jobId).length;
}

const depsOf = (s: Sandbox, published: JobNotification[]) => ({
  store: sandboxBucket(s),
  jobs: s.sync,
  records: s.records,
  now: Date.now,
  publish: async (notification: JobNotification) => {
    published.push(notification);
  },
});

describe("the job of a batch execution that ended outside its Catch", () => {
  it("aborted mid-apply: FAILED (interrupted), written changes as their outcomes, the rest failed; a redelivery changes nothing", async () => {
    const s = await open();
    const input = await stoppedMidApply(s, async () => {});
    expect(await s.sync.getJob(input.jobId)).toMatchObject({ status: "RUNNING" });
    const written = await writtenBy(s, input.jobId);
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(ROWS);

    const published: JobNotification[] = [];
    const result = await endJobOfExecution(executionEnd(input, "ABORTED"), depsOf(s, published));
    expect(result).toMatchObject({ outcome: "ended", status: "FAILED" });
    const job = await s.sync.getJob(input.jobId);
    expect(job).toMatchObject({
      status: "FAILED",
      errorSummary: expect.stringMatching(/^interrupted: its batch execution was stopped before it finished/),
      counts: { received: ROWS, created: written, failed: ROWS - written },
    });
    expect(countsReconcile(job?.counts ?? ({} as never))).toBe(true);
    expect(published.map((n) => JSON.parse(n.message))).toEqual([
      expect.objectContaining({ jobId: input.jobId, status: "FAILED", counts: job?.counts }),
    ]);

    // EventBridge delivers at least once: the same event again leaves the ended job as it is.
    const again = await endJobOfExecution(executionEnd(input, "ABORTED"), depsOf(s, published));
    expect(again).toEqual({ outcome: "already-ended", jobId: input.jobId, status: "FAILED" });
    expect(await s.sync.getJob(input.jobId)).toEqual(job);
    expect(published).toHaveLength(1);
  });

  it("aborted inside an apply part that never reported: its written changes count as their outcomes, as the records show", async () => {
    const s = await open();
    const input = await stoppedMidApply(s, async () => {});
    const written = await writtenBy(s, input.jobId);
    expect(written).toBeGreaterThan(0);
    // As if each part's runner had stopped after its writes, before storing its result (an Express
    // child stopped with its execution): only the records table tells what was written.
    const bucket = sandboxBucket(s);
    const reported: string[] = [];
    for await (const key of bucket.list(jobKeys("canonical", input.jobId).applyResultsPrefix)) reported.push(key);
    expect(reported.length).toBeGreaterThan(0);
    for (const key of reported) rmSync(bucket.locate(key));

    expect(await endJobOfExecution(executionEnd(input, "ABORTED"), depsOf(s, []))).toMatchObject({ outcome: "ended" });
    const job = await s.sync.getJob(input.jobId);
    expect(job).toMatchObject({
      status: "FAILED",
      counts: { received: ROWS, created: written, failed: ROWS - written },
    });
    expect(countsReconcile(job?.counts ?? ({} as never))).toBe(true);
  });

  it("aborted by a cancel (the request recorded, then StopExecution): CANCELLED with the counts so far", async () => {
    const s = await open();
    const input = await stoppedMidApply(s, async (jobId) => {
      await s.sync.requestCancel(jobId, Date.now());
    });
    const written = await writtenBy(s, input.jobId);
    const published: JobNotification[] = [];
    const end = executionEnd(input, "ABORTED", { error: "vendor-sync.Cancelled", cause: "cancelled by admin" });
    expect(await endJobOfExecution(end, depsOf(s, published))).toMatchObject({ outcome: "ended", status: "CANCELLED" });
    const job = await s.sync.getJob(input.jobId);
    expect(job).toMatchObject({
      status: "CANCELLED",
      errorSummary: expect.stringMatching(/^cancelled by admin: its batch execution ended ABORTED/),
      counts: { received: ROWS, created: written, failed: ROWS - written },
    });
    expect(countsReconcile(job?.counts ?? ({} as never))).toBe(true);
  });

  it("timed out: FAILED (timed-out); an execution whose job the Catch already failed, or that names no job, changes nothing", async () => {
    const s = await open();
    const running = buildExecutionInput({
      vendor: s.vendor("canonical"),
      jobId: ulid(),
      source: { bucket: "vendor-sync-imports", key: "imports/canonical/late.csv" },
      trigger: "upload",
    });
    await s.sync.createJob({
      jobId: running.jobId,
      vendorId: "canonical",
      workflow: "batch",
      trigger: "upload",
      input: { bucket: running.source.bucket, key: running.source.key },
      createdAt: Date.now(),
    });
    await s.sync.transitionJob(running.jobId, "RUNNING", { startedAt: Date.now() });
    const published: JobNotification[] = [];
    await endJobOfExecution(executionEnd(running, "TIMED_OUT"), depsOf(s, published));
    expect(await s.sync.getJob(running.jobId)).toMatchObject({
      status: "FAILED",
      errorSummary: expect.stringMatching(/^timed-out: /),
      counts: { received: 0 },
    });

    // The Fail state after the Catch's MarkFailed ends the execution FAILED too: the job's end stands.
    const caught = { ...running, jobId: ulid() };
    await s.sync.createJob({
      jobId: caught.jobId,
      vendorId: "canonical",
      workflow: "batch",
      trigger: "upload",
      input: {},
      createdAt: Date.now(),
    });
    await s.sync.transitionJob(caught.jobId, "FAILED", { errorSummary: "not a CSV", finishedAt: Date.now() });
    const failed = executionEnd(caught, "FAILED", { error: "BatchJobFailed", cause: "The batch job failed" });
    expect(await endJobOfExecution(failed, depsOf(s, published))).toMatchObject({ outcome: "already-ended" });
    expect(await s.sync.getJob(caught.jobId)).toMatchObject({ status: "FAILED", errorSummary: "not a CSV" });
    expect(await endJobOfExecution({ ...failed, name: "upload-unknown", input: null }, depsOf(s, published))).toEqual({
      outcome: "no-job",
    });
    expect(published).toHaveLength(1);
  });
});
