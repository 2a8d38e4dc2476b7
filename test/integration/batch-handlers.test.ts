import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { DynamoRecordKeyLister } from "../../lambdas/adapters/dynamodb/record-keys.ts";
import { VENDOR_SHARDS, vendorShard } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { makeHandler as makeApply } from "../../lambdas/batch-apply/batch-apply.ts";
import { makeHandler as makeCommit } from "../../lambdas/batch-commit/batch-commit.ts";
import { makeHandler as makeFail } from "../../lambdas/batch-fail/batch-fail.ts";
import { makeHandler as makePlan } from "../../lambdas/batch-plan/batch-plan.ts";
import { makeHandler as makePrepare } from "../../lambdas/batch-prepare/batch-prepare.ts";
import { makeHandler as makeValidate } from "../../lambdas/batch-validate/batch-validate.ts";
import { batchLines } from "../../lambdas/core/batch/batching.ts";
import { buildExecutionInput } from "../../lambdas/core/batch/execution.ts";
import { jobKeys } from "../../lambdas/core/batch/layout.ts";
import { type ManifestItem, PLAN_BATCH, type PreparedLine } from "../../lambdas/core/batch/model.ts";
import type { ObjectStore } from "../../lambdas/core/batch/ports.ts";
import { toChange } from "../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import { writePolicyFor } from "../../lambdas/core/vendor-policy.ts";
import { runBatchLocally } from "../../local/batch-workflow/run.ts";
import { FileObjectStore } from "../../local/file-object-store.ts";
import { tempDir } from "../support/cli.ts";
import { startTestDynamo } from "../support/dynamo.ts";

const vendors = loadVendorConfigs();
const canonical = vendors.get("canonical");
if (!canonical) throw new Error("canonical vendor missing");
const registry = { get: (id: string) => vendors.get(id) ?? canonical, has: (id: string) => vendors.has(id) };
const T0 = Date.parse("2026-11-01T08:00:00Z");
const T1 = Date.parse("2026-11-01T09:00:00Z");
const T2 = Date.parse("2026-11-01T10:00:00Z");

let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;
let env: ReturnType<Awaited<ReturnType<typeof startTestDynamo>>["newStores"]>;
let writer: ChangeInterpreter;
const uploads = new Map<string, string>();
let jobCounter = 0;

/** A fresh embedded store per describe block: full snapshots look at every record of the vendor. */
function useFreshDynamo() {
  beforeAll(async () => {
    dynamo = await startTestDynamo();
    env = dynamo.newStores();
    writer = new ChangeInterpreter({
      records: env.records,
      conflicts: env.sync,
      policyFor: (vendorId, entityType) => writePolicyFor(registry.get(vendorId), entityType),
    });
  });
  afterAll(async () => dynamo?.close());
}

/** The stage handlers on dynalite and a folder, as the sandbox wires them (`store` replaceable per stage). */
function handlers(store: ObjectStore, applyStore: ObjectStore = store) {
  return {
    prepare: makePrepare({
      vendors: registry,
      jobs: env.sync,
      store,
      openSource: async (source) => ({
        body: Readable.from([Buffer.from(uploads.get(source.key) ?? "")]),
        lastModified: T0,
      }),
      keys: { shards: VENDOR_SHARDS, shardOf: vendorShard },
    }),
    plan: makePlan({
      vendors: registry,
      records: env.records,
      keys: new DynamoRecordKeyLister({ client: env.client, tableName: dynamo.tables.records }),
      store,
    }),
    validate: makeValidate({ vendors: registry, store }),
    apply: makeApply({ store: applyStore, interpreter: writer }),
    commit: makeCommit({ store, jobs: env.sync }),
    fail: makeFail({ jobs: env.sync }),
  };
}

const priceLine = (key: string, amount: string, sourceTs: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ entityType: "price", entityKey: key, sourceTs, attributes: { amount, currency: "USD" }, ...extra });

function upload(lines: readonly string[], options: { full?: boolean; dryRun?: boolean; asOf?: number } = {}) {
  const jobId = `JOB${String(++jobCounter).padStart(4, "0")}`;
  const key = `imports/canonical/${jobId}.jsonl`;
  uploads.set(key, `${lines.join("\n")}\n`);
  return buildExecutionInput({
    vendor: canonical as NonNullable<typeof canonical>,
    jobId,
    source: { bucket: "test", key },
    trigger: "cli",
    asOf: options.asOf ?? T1,
    full: options.full ?? false,
    dryRun: options.dryRun ?? false,
  });
}

async function runJob(lines: readonly string[], options: Parameters<typeof upload>[1] = {}, store?: ObjectStore) {
  const input = upload(lines, options);
  const bucket = store ?? new FileObjectStore(tempDir("vendor-sync-bucket-"));
  const outcome = await runBatchLocally(input, handlers(bucket), bucket, { retryDelayMs: 1 });
  return { input, outcome, bucket, result: outcome.kind === "committed" ? outcome.result : undefined };
}

const price = async (key: string) =>
  env.records.get({ vendorId: "canonical", entityType: "price", entityKey: key }, { consistent: true });
const recordWrites = () => env.commands.get(`PutItemCommand@${dynamo.tables.records}`) ?? 0;

/** Runs prepare and the plan Map by hand (one step at a time, as the state machine would). */
async function prepareAndPlan(input: ReturnType<typeof upload>, store: ObjectStore) {
  const h = handlers(store);
  const prepared = await h.prepare(input);
  for await (const items of batchLines<PreparedLine>(store.readLines(prepared.normalisedKey), PLAN_BATCH)) {
    await h.plan({
      BatchInput: { jobId: input.jobId, vendorId: input.vendorId, asOf: prepared.asOf, dryRun: input.dryRun },
      Items: items,
    });
  }
  const validation = await h.validate({ ...input, prepared });
  const manifest: ManifestItem[] = [];
  for await (const line of store.readLines(validation.changeManifestKey)) if (line) manifest.push(JSON.parse(line));
  return { prepared, validation, manifest, h };
}

describe("batch stage handlers on dynalite", () => {
  useFreshDynamo();
  it("plans read-only: no record or conflict is written before apply", async () => {
    const store = new FileObjectStore(tempDir());
    const before = recordWrites();
    const { validation, manifest } = await prepareAndPlan(
      upload([priceLine("RO-1", "10.00", T0), priceLine("RO-2", "11.00", T0)]),
      store,
    );
    expect(validation).toMatchObject({ ok: true, pending: 2, planned: { created: 2 } });
    expect(manifest).toHaveLength(1);
    expect(recordWrites()).toBe(before);
    expect(await price("RO-1")).toBeUndefined();
    expect(await env.sync.listConflicts("canonical")).toEqual([]);
  });

  it("imports a file end to end with reconciled counts and the vendor's freshness recorded", async () => {
    const { result } = await runJob([priceLine("E-1", "10.00", T0), priceLine("E-2", "11.00", T0 + 1000)]);
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      counts: { received: 2, created: 2 },
      rowsRead: 2,
      rejectsFile: null,
    });
    expect((await price("E-2"))?.attributes).toMatchObject({ amount: 1100 });
    const job = await env.sync.getJob(result?.jobId ?? "");
    expect(job).toMatchObject({ status: "SUCCEEDED", counts: { created: 2 } });
    expect((await env.sync.getVendorState("canonical")).newestSourceTs).toBeGreaterThanOrEqual(T0 + 1000);
  });

  it("does not let an older file row overwrite a record a webhook changed between plan and apply", async () => {
    await runJob([priceLine("RACE-1", "10.00", T0)]);
    const store = new FileObjectStore(tempDir());
    const input = upload([priceLine("RACE-1", "12.00", T1)]);
    const { manifest, h } = await prepareAndPlan(input, store);
    // A webhook delivers a newer price while the job waits between plan and apply.
    const webhook = toChange(
      {
        entityType: "price",
        entityKey: "RACE-1",
        eventId: "wh-1",
        sourceTs: T2,
        attributes: { amount: "13.00", currency: "USD" },
      },
      {
        vendorId: "canonical",
        jobId: "webhook",
        workflow: "real-time",
        defaultSource: "vendor:webhook",
        defaultCurrency: "USD",
      },
    );
    expect((await writer.write(webhook)).outcome).toBe("updated");
    await h.apply({ BatchInput: { jobId: input.jobId, vendorId: "canonical" }, Items: manifest });
    const result = await h.commit({ jobId: input.jobId, vendorId: "canonical" });
    expect(await price("RACE-1")).toMatchObject({
      attributes: { amount: 1300 },
      source: "vendor:webhook",
      lastEventId: "wh-1",
    });
    expect(result.counts).toMatchObject({ received: 1, updated: 0, stale: 1 });
  });

  it("does not double a redriven apply batch's counts (result stored per part)", async () => {
    const store = new FileObjectStore(tempDir());
    const input = upload([
      priceLine("RD-1", "10.00", T0),
      priceLine("RD-2", "10.00", T0),
      priceLine("RD-3", "10.00", T0),
    ]);
    const { manifest, h } = await prepareAndPlan(input, store);
    const event = { BatchInput: { jobId: input.jobId, vendorId: "canonical" }, Items: manifest };
    const first = await h.apply(event);
    const writes = recordWrites();
    const again = await h.apply(event);
    expect(first.parts[0]).toMatchObject({ received: 3, reused: false });
    expect(again.parts[0]).toMatchObject({ received: 3, reused: true });
    expect(recordWrites()).toBe(writes);
    const result = await h.commit({ jobId: input.jobId, vendorId: "canonical" });
    expect(result.counts).toMatchObject({ received: 3, created: 3, unchanged: 0 });
  });

  it("counts a batch interrupted after its writes once, as written, when it is run again", async () => {
    const store = new FileObjectStore(tempDir());
    const input = upload([priceLine("CR-1", "10.00", T0), priceLine("CR-2", "10.00", T0)]);
    const { manifest, h } = await prepareAndPlan(input, store);
    const resultKey = jobKeys("canonical", input.jobId).applyResultsPrefix;
    // The first attempt dies after writing the records, before storing its result.
    const dying: ObjectStore = Object.assign(Object.create(store), {
      writeText: async (key: string, text: string) => {
        if (key.startsWith(resultKey)) throw new Error("Lambda timed out");
        return store.writeText(key, text);
      },
      readText: (key: string) => store.readText(key),
      readLines: (key: string) => store.readLines(key),
      openWriter: (key: string) => store.openWriter(key),
    });
    const event = { BatchInput: { jobId: input.jobId, vendorId: "canonical" }, Items: manifest };
    await expect(handlers(store, dying).apply(event)).rejects.toThrow(/timed out/);
    expect((await price("CR-1"))?.lastJobId).toBe(input.jobId);
    await h.apply(event);
    const result = await h.commit({ jobId: input.jobId, vendorId: "canonical" });
    expect(result.counts).toMatchObject({ received: 2, created: 2, unchanged: 0, failed: 0 });
  });

  it("fails a job whose rejected share is over the tolerance, with its reason, writing nothing", async () => {
    const writes = recordWrites();
    const { result } = await runJob([
      priceLine("VF-1", "10.00", T0),
      priceLine("VF-2", "n/a", T0),
      priceLine("VF-3", "1,5", T0),
      priceLine("VF-4", "10.00", T0),
    ]);
    expect(result).toMatchObject({
      status: "FAILED",
      counts: { received: 4, rejected: 2, failed: 2, created: 0 },
      planned: { created: 2, rejected: 2 },
      error: expect.stringMatching(/rejected share 50\.0 % \(2 of 4 changes\) is over the vendor's tolerated 20 %/),
    });
    expect(recordWrites()).toBe(writes);
    expect(await price("VF-1")).toBeUndefined();
    const rejects = readFileSync(result?.rejectsFile as string, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => r.line)).toEqual([2, 3]);
    expect(await env.sync.getJob(result?.jobId as string)).toMatchObject({
      status: "FAILED",
      errorSummary: expect.stringMatching(/rejected share/),
    });
  });

  it("counts the changes of a failed plan batch within the tolerance as failed; the rest syncs (PARTIAL)", async () => {
    const lines = Array.from({ length: PLAN_BATCH.maxItems + 1 }, (_, i) => priceLine(`TF-${i}`, "1.00", T0));
    const input = upload(lines);
    const store = new FileObjectStore(tempDir());
    const h = handlers(store);
    const flaky = {
      ...h,
      plan: async (event: unknown) => {
        const items = (event as { Items?: PreparedLine[] }).Items ?? [];
        if (items.length === 1) throw new Error("plan child failed");
        return h.plan(event);
      },
    };
    const outcome = await runBatchLocally(input, flaky, store, { retryDelayMs: 1 });
    expect(outcome.kind).toBe("committed");
    const result = outcome.kind === "committed" ? outcome.result : undefined;
    expect(result).toMatchObject({
      status: "PARTIAL",
      counts: { received: PLAN_BATCH.maxItems + 1, created: PLAN_BATCH.maxItems, failed: 1 },
    });
  });

  it("fails the job when a Map's failures are over the tolerated percentage", async () => {
    const input = upload([priceLine("OT-1", "1.00", T0)]);
    const store = new FileObjectStore(tempDir());
    const h = handlers(store);
    const broken = { ...h, plan: async () => Promise.reject(new Error("plan child failed")) };
    const outcome = await runBatchLocally(input, broken, store, { retryDelayMs: 1 });
    expect(outcome).toMatchObject({
      kind: "caught",
      error: expect.stringMatching(/^States\.ExceedToleratedFailureThreshold: Plan: 1 of 1 items failed/),
    });
    expect(await env.sync.getJob(input.jobId)).toMatchObject({ status: "FAILED" });
  });
});

describe("full snapshots", () => {
  useFreshDynamo();
  const keys = Array.from({ length: 20 }, (_, i) => `FS-${String(i).padStart(2, "0")}`);

  it("tombstones records the file no longer has, keeps those written after its as-of time, applies tombstones last", async () => {
    await runJob(keys.map((key) => priceLine(key, "5.00", T0)));
    // Written by a webhook after the snapshot's as-of time: kept though absent from the file.
    await writer.write(
      toChange(
        {
          entityType: "price",
          entityKey: "FS-NEW",
          eventId: "wh-new",
          sourceTs: T2,
          attributes: { amount: "1.00", currency: "USD" },
        },
        {
          vendorId: "canonical",
          jobId: "webhook",
          workflow: "real-time",
          defaultSource: "vendor:webhook",
          defaultCurrency: "USD",
        },
      ),
    );
    const store = new FileObjectStore(tempDir());
    const h = handlers(store);
    const applied: string[] = [];
    const spying = {
      ...h,
      apply: async (event: unknown) => {
        applied.push(...(event as { Items: ManifestItem[] }).Items.map((item) => item.partId));
        return h.apply(event);
      },
    };
    const input = upload(
      keys.slice(0, 19).map((key) => priceLine(key, "5.00", T0)),
      { full: true, asOf: T1 },
    );
    const outcome = await runBatchLocally(input, spying, store, { retryDelayMs: 1 });
    const result = outcome.kind === "committed" ? outcome.result : undefined;
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      counts: { received: 20, unchanged: 19, updated: 1 },
      tombstones: { planned: 1, keptNewer: 1, alreadyDeleted: 0 },
    });
    expect(await price("FS-19")).toMatchObject({ deleted: true, deletedAt: T1 });
    expect(await price("FS-NEW")).toMatchObject({ deleted: false });
    expect(applied.at(-1)).toMatch(/^t/);
  });

  it("fails a snapshot that would tombstone more than the mass-deletion guard allows, deleting nothing", async () => {
    const { result } = await runJob(
      keys.slice(0, 10).map((key) => priceLine(key, "5.00", T0)),
      { full: true, asOf: T1 },
    );
    expect(result).toMatchObject({
      status: "FAILED",
      error: expect.stringMatching(
        /would tombstone 45\.0 % of the vendor's records \(9 of 20\), over the mass-deletion guard of 10 %/,
      ),
    });
    expect(await price("FS-15")).toMatchObject({ deleted: false });
  });

  it("reports a full snapshot's tombstones in a dry run and deletes nothing", async () => {
    const writes = recordWrites();
    const { result } = await runJob(
      keys.slice(0, 18).map((key) => priceLine(key, "5.00", T0)),
      {
        full: true,
        dryRun: true,
        asOf: T1,
      },
    );
    // FS-19 is a tombstone since the first snapshot; FS-18 would become one.
    expect(result).toMatchObject({ status: "SUCCEEDED", dryRun: true, tombstones: { planned: 1, alreadyDeleted: 1 } });
    expect(recordWrites()).toBe(writes);
    const diff = readFileSync(result?.diffReport as string, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(diff.filter((d) => d.op === "delete").map((d) => d.entityKey)).toEqual(["FS-18"]);
    expect(await price("FS-18")).toMatchObject({ deleted: false });
  });
});
