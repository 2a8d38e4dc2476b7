import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { SQSEvent } from "aws-lambda";
import * as v from "valibot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncAlreadyRunningError } from "../../lambdas/core/jobs/errors.ts";
import type { JobNotification } from "../../lambdas/core/jobs/job.ts";
import { HandoffManifestSchema } from "../../lambdas/core/jobs/messages.ts";
import { runWatchdog } from "../../lambdas/core/jobs/watchdog.ts";
import type { PullChannelInput } from "../../lambdas/core/pull/pull-config.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { openPullSandbox, runToEnd, shopifyPull, TestClock, testVendor } from "../support/scheduled.ts";
import { type Exchange, FixtureServer, loadExchange, serve, times } from "./vendor-http/fixture-server.ts";

const PATH = "/admin/api/2025-10/products.json";

let server: FixtureServer;
let pages: Exchange[];
let clock: TestClock;
let sandbox: Sandbox | undefined;
let notifications: JobNotification[];

const isPage = (n: number) => (request: { url: URL }) =>
  request.url.href === new URL(pages[n - 1]?.request.url ?? "").href;
const pageRequests = () => server.requestsTo(PATH);
/** The recorded first page carries a watermark filter: answer it whatever the filter. */
const firstPage = (request: { url: URL }) =>
  request.url.pathname === PATH && !request.url.searchParams.has("page_info") ? pages[0]?.response : undefined;

async function open(pull: Partial<PullChannelInput> = {}, options: { invocationMs?: number } = {}) {
  const vendor = testVendor({ id: "shop", channels: { pull: shopifyPull(server.origin, pull) } });
  sandbox = await openPullSandbox([vendor], clock, options);
  notifications = [];
  sandbox.events.on("job", (n: JobNotification) => notifications.push(n));
  return sandbox;
}

async function start(s: Sandbox, request: Partial<Parameters<Sandbox["scheduled"]["jobs"]["start"]>[0]> = {}) {
  const started = await s.scheduled.jobs.start({ vendorId: "shop", trigger: "cli", ...request });
  if (!started.started) throw new Error(`not started: ${started.reason}`);
  return started.job;
}

/** An SQS event holding one message body, as Lambda's event source would deliver it. */
const sqsEvent = (body: string, receiveCount = 1): SQSEvent => ({
  Records: [
    {
      messageId: `m-${receiveCount}`,
      receiptHandle: "",
      body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: "0",
        SenderId: "local",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:local:000000000000:sync",
      awsRegion: "local",
    },
  ],
});

const price = async (s: Sandbox, key: string) =>
  (await s.records.get({ vendorId: "shop", entityType: "price", entityKey: key }))?.attributes.amount;

beforeEach(async () => {
  server = await FixtureServer.start();
  pages = [1, 2, 3].map((n) => loadExchange(`shopify-rest/products.page-${n}.json`, server.origin));
  clock = new TestClock();
  server.route(firstPage, serve(pages));
});

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await server.close();
});

describe("pull worker — paging over HTTP through the write path", () => {
  it("pages through the vendor API, writes every page through the write path and reports live counts", async () => {
    const s = await open();
    const report = vi.spyOn(s.sync, "reportStep");
    const job = await start(s);
    expect(job).toMatchObject({
      status: "QUEUED",
      workflow: "on-demand",
      input: { mode: "incremental", dryRun: false },
    });
    expect(job.jobId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    const { job: done, invocations } = await runToEnd(s, job.jobId, clock);

    expect(invocations).toBe(1);
    expect(pageRequests()).toHaveLength(3);
    expect(done).toMatchObject({ status: "SUCCEEDED", rowsRead: 5, pagesFetched: 3 });
    expect(done.counts.created).toBe(done.counts.received);
    expect(done.counts.received).toBeGreaterThan(5);
    // One heartbeat with live counts per page, growing.
    expect(report.mock.calls.map(([, , progress]) => progress.rowsRead)).toEqual([2, 4, 5]);
    expect(await price(s, "CVT-SM-GRY")).toBe(6000);
    const record = await s.records.get({ vendorId: "shop", entityType: "product", entityKey: "classic-varsity-top" });
    expect(record).toMatchObject({ source: "vendor:pull", lastJobId: job.jobId });
    expect(notifications.map((n) => [n.message.jobId, n.message.status])).toEqual([[job.jobId, "SUCCEEDED"]]);
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
  });

  it("checkpoints on a 429 with Retry-After and continues in a delayed follow-up message, not a failure", async () => {
    const s = await open();
    const throttled = loadExchange("shopify-rest/products.429.json", server.origin);
    server.route(times(1, isPage(2), throttled.response), firstPage, serve(pages));
    const job = await start(s);
    await s.scheduled.syncDriver.pollOnce();

    const between = await s.scheduled.jobs.get(job.jobId);
    expect(between).toMatchObject({ status: "RUNNING", step: 2, rowsRead: 2, pagesFetched: 1 });
    const [followUp] = await s.scheduled.syncQueue.peek();
    expect(JSON.parse(followUp?.body ?? "{}")).toEqual({
      kind: "sync",
      version: 1,
      jobId: job.jobId,
      vendorId: "shop",
      step: 2,
    });
    // Retry-After: 2.0 → the follow-up waits 2 s (the connector may wait 1 s inline, so it hands over).
    expect((followUp?.visibleAt ?? 0) - clock.ms).toBe(2000);

    const { job: done, invocations } = await runToEnd(s, job.jobId, clock);
    expect(invocations).toBe(1);
    expect(done).toMatchObject({ status: "SUCCEEDED", rowsRead: 5, pagesFetched: 3 });
    // Page 2 asked twice (the 429, then the page), pages 1 and 3 once: nothing read twice.
    expect(pageRequests().map((r) => r.url.searchParams.has("page_info"))).toEqual([false, true, true, true]);
  });

  it("resumes from the checkpoint after maxPagesPerInvocation, one page per invocation, with exact counts", async () => {
    const single = await open();
    const once = await runToEnd(single, (await start(single)).jobId, clock);
    await single.close();
    sandbox = undefined;
    server.requests.length = 0;

    const s = await open({ maxPagesPerInvocation: 1 });
    const job = await start(s);
    const { job: done, invocations } = await runToEnd(s, job.jobId, clock);

    expect(invocations).toBe(3);
    expect(pageRequests()).toHaveLength(3);
    expect(done).toMatchObject({ status: "SUCCEEDED", rowsRead: 5, pagesFetched: 3 });
    expect(done.counts).toEqual(once.job.counts);
  });

  it("hands over near the Lambda deadline instead of failing", async () => {
    // A slow vendor: each page costs 4 s; the invocation has 28 s, of which 20 s are kept free, and a
    // page (5 s timeout) only starts when it fits: page 1 at 0 s does, page 2 at 4 s does not.
    const s = await open({}, { invocationMs: 28_000 });
    server.route((request) => {
      clock.advance(4000);
      return firstPage(request);
    }, serve(pages));
    const job = await start(s);
    await s.scheduled.syncDriver.pollOnce();
    expect(await s.scheduled.jobs.get(job.jobId)).toMatchObject({ status: "RUNNING", step: 2, pagesFetched: 1 });
    const { job: done } = await runToEnd(s, job.jobId, clock);
    expect(done).toMatchObject({ status: "SUCCEEDED", pagesFetched: 3 });
  });

  it("drops a redelivered message of a step that already ran, so nothing counts twice", async () => {
    const s = await open({ maxPagesPerInvocation: 1 });
    const job = await start(s);
    const [first] = await s.scheduled.syncQueue.peek();
    await s.scheduled.syncDriver.pollOnce();
    const afterStep1 = await s.scheduled.jobs.get(job.jobId);
    // The same step-1 message again (an SQS redelivery).
    await s.scheduled.worker(sqsEvent(first?.body ?? "", 2));
    expect(await s.scheduled.jobs.get(job.jobId)).toMatchObject({ counts: afterStep1.counts, rowsRead: 2, step: 2 });
    expect(pageRequests()).toHaveLength(1);
  });

  it("fails the job after maxRetries hand-overs while the vendor answers 500, each retrying only the failing page", async () => {
    const s = await open();
    server.route(
      (request) => (isPage(2)(request) ? { status: 500, body: { errors: "Internal Server Error" } } : undefined),
      firstPage,
      serve(pages),
    );
    const job = await start(s);
    const { job: done, invocations } = await runToEnd(s, job.jobId, clock);
    // The first invocation reads page 1 and fails on page 2; each follow-up retries page 2 only.
    expect(invocations).toBe(1 + 3);
    expect(done).toMatchObject({
      status: "FAILED",
      rowsRead: 2,
      errorSummary: expect.stringMatching(/vendor unavailable after 4 hand-overs/),
    });
    expect(pageRequests().filter((r) => !r.url.searchParams.has("page_info"))).toHaveLength(1);
  });

  it("takes a page again, later, when some of its changes failed to write, and ends with exact counts", async () => {
    const single = await open();
    const once = await runToEnd(single, (await start(single)).jobId, clock);
    await single.close();
    sandbox = undefined;
    server.requests.length = 0;

    const s = await open();
    vi.spyOn(s.interpreter, "writeBatch").mockImplementationOnce(async (changes) =>
      changes.map((c) => ({ ...c, outcome: "failed" as const, reason: "ThrottlingException", retryable: true })),
    );
    const job = await start(s);
    const { job: done, invocations } = await runToEnd(s, job.jobId, clock);
    expect(invocations).toBe(2);
    expect(done).toMatchObject({ status: "SUCCEEDED", counts: once.job.counts, rowsRead: 5 });
    expect(pageRequests()).toHaveLength(4);
  });

  it("drops a duplicate delivery of a step another worker is running, leaving that worker's lease alone", async () => {
    const s = await open();
    const job = await start(s);
    const lease = clock.ms + 300_000;
    expect((await s.sync.claimStep(job.jobId, 1, clock.ms, lease)).kind).toBe("claimed");
    const response = await s.scheduled.worker(sqsEvent((await s.scheduled.syncQueue.peek())[0]?.body ?? ""));
    expect(response.batchItemFailures).toEqual([]);
    expect(pageRequests()).toHaveLength(0);
    expect(await s.scheduled.jobs.get(job.jobId)).toMatchObject({ status: "RUNNING", step: 1, leaseUntil: lease });
  });

  it("fails the job without retrying when the vendor refuses the credentials (401)", async () => {
    const s = await open();
    server.route(() => ({ status: 401, body: { errors: "[API] Invalid API key or access token" } }));
    const job = await start(s);
    const { job: done } = await runToEnd(s, job.jobId, clock);
    expect(done).toMatchObject({ status: "FAILED", errorSummary: expect.stringMatching(/HTTP 401/) });
    expect(pageRequests()).toHaveLength(1);
    expect(notifications.map((n) => n.message.status)).toEqual(["FAILED"]);
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
  });

  it("decides everything in a dry run but writes nothing and keeps the watermark where it was", async () => {
    const s = await open();
    const job = await start(s, { dryRun: true });
    const { job: done } = await runToEnd(s, job.jobId, clock);
    expect(done).toMatchObject({ status: "SUCCEEDED", rowsRead: 5 });
    expect(done.counts.created).toBe(done.counts.received);
    expect(await price(s, "CVT-SM-GRY")).toBeUndefined();
    expect((await s.sync.getVendorState("shop")).pullWatermark).toBeUndefined();
  });
});

describe("incremental watermark with lookback", () => {
  it("stores the run's start and filters the next run from it minus the lookback; a full sync ignores it", async () => {
    const s = await open();
    const firstStart = clock.ms;
    await runToEnd(s, (await start(s)).jobId, clock);
    expect(pageRequests()[0]?.url.searchParams.has("updated_at_min")).toBe(false);
    expect((await s.sync.getVendorState("shop")).pullWatermark).toBe(firstStart);

    clock.ms = Date.parse("2026-03-15T18:00:00Z");
    server.requests.length = 0;
    const second = await runToEnd(s, (await start(s)).jobId, clock);
    // 12:00:00Z minus 300 s = 11:55:00Z = 07:55:00 in New York (EDT, −04:00).
    expect(pageRequests()[0]?.url.searchParams.get("updated_at_min")).toBe("2026-03-15T07:55:00-04:00");
    expect(second.job.counts.unchanged).toBe(second.job.counts.received);
    expect((await s.sync.getVendorState("shop")).pullWatermark).toBe(Date.parse("2026-03-15T18:00:00Z"));

    server.requests.length = 0;
    await runToEnd(s, (await start(s, { mode: "full" })).jobId, clock);
    expect(pageRequests()[0]?.url.searchParams.has("updated_at_min")).toBe(false);
  });
});

describe("job lifecycle", () => {
  it("fails to start a second sync of a vendor while one is queued or running; a schedule skips instead", async () => {
    const s = await open();
    const first = await start(s);
    await expect(start(s)).rejects.toThrow(SyncAlreadyRunningError);
    await expect(start(s)).rejects.toMatchObject({ runningJobId: first.jobId });
    expect(await s.scheduled.jobs.start({ vendorId: "shop", trigger: "schedule" })).toEqual({
      started: false,
      reason: "already-running",
      runningJobId: first.jobId,
    });
    await runToEnd(s, first.jobId, clock);
    expect((await start(s)).jobId).not.toBe(first.jobId);
  });

  it("clears a lock whose job already ended (a crash between finishing and unlocking)", async () => {
    const s = await open();
    const ended = await start(s);
    await s.sync.transitionJob(ended.jobId, "FAILED", { finishedAt: clock.ms });
    expect((await s.sync.getVendorState("shop")).runningJobId).toBe(ended.jobId);
    expect((await start(s)).jobId).not.toBe(ended.jobId);
  });

  it("cancels a queued job at once; the worker then drops its message", async () => {
    const s = await open();
    const job = await start(s);
    const cancelled = await s.scheduled.jobs.cancel(job.jobId, "admin@example.com");
    expect(cancelled).toMatchObject({ status: "CANCELLED" });
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
    await runToEnd(s, job.jobId, clock);
    expect(pageRequests()).toHaveLength(0);
    expect(notifications.map((n) => n.message.status)).toEqual(["CANCELLED"]);
  });

  it("stops a running job at the next page when it is cancelled, keeping the counts so far", async () => {
    const s = await open();
    const report = s.sync.reportStep.bind(s.sync);
    let cancelled = false;
    vi.spyOn(s.sync, "reportStep").mockImplementation(async (jobId, step, progress) => {
      const answer = await report(jobId, step, progress);
      if (!cancelled) {
        cancelled = true;
        const running = await s.scheduled.jobs.cancel(jobId);
        expect(running).toMatchObject({ status: "RUNNING", cancelRequestedAt: expect.any(Number) });
      }
      return answer;
    });
    const job = await start(s);
    const { job: done } = await runToEnd(s, job.jobId, clock);
    expect(done).toMatchObject({ status: "CANCELLED", pagesFetched: 2, rowsRead: 4 });
    expect(pageRequests()).toHaveLength(2);
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
  });

  it("fails to cancel a job that has ended", async () => {
    const s = await open();
    const job = await start(s);
    await runToEnd(s, job.jobId, clock);
    await expect(s.scheduled.jobs.cancel(job.jobId)).rejects.toThrow(/already ended \(SUCCEEDED\)/);
  });

  it("lists a vendor's jobs newest first, and by time", async () => {
    const s = await open();
    const first = await start(s);
    await runToEnd(s, first.jobId, clock);
    clock.advance(60_000);
    const second = await start(s);
    expect((await s.scheduled.jobs.list({ vendorId: "shop" })).map((j) => j.jobId)).toEqual([
      second.jobId,
      first.jobId,
    ]);
    expect((await s.scheduled.jobs.list({ vendorId: "shop", since: clock.ms })).map((j) => j.jobId)).toEqual([
      second.jobId,
    ]);
  });
});

describe("watchdog", () => {
  it("fails a job whose heartbeat stopped, frees the vendor and notifies; leaves a beating job alone", async () => {
    const s = await open();
    const stuck = await start(s);
    await s.sync.claimStep(stuck.jobId, 1, clock.ms, clock.ms + 60_000);
    clock.advance(31 * 60_000);
    const deps = { jobs: s.scheduled.jobs, store: s.sync, vendors: s.registry, now: clock.ms };

    const report = await runWatchdog(deps);

    expect(report.stopped).toEqual([{ jobId: stuck.jobId, vendorId: "shop", status: "FAILED" }]);
    expect(await s.scheduled.jobs.get(stuck.jobId)).toMatchObject({
      status: "FAILED",
      errorSummary: expect.stringMatching(/no heartbeat since/),
    });
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
    expect(notifications.map((n) => n.message.status)).toEqual(["FAILED"]);

    const alive = await start(s);
    clock.advance(29 * 60_000);
    expect((await runWatchdog({ ...deps, now: clock.ms })).stopped).toEqual([]);
    expect((await s.scheduled.jobs.get(alive.jobId)).status).toBe("QUEUED");
  });

  it("finishes a stalled job whose cancel was requested as CANCELLED", async () => {
    const s = await open();
    const job = await start(s);
    await s.sync.claimStep(job.jobId, 1, clock.ms, clock.ms + 60_000);
    await s.scheduled.jobs.cancel(job.jobId);
    clock.advance(31 * 60_000);
    const report = await runWatchdog({ jobs: s.scheduled.jobs, store: s.sync, vendors: s.registry, now: clock.ms });
    expect(report.stopped).toEqual([{ jobId: job.jobId, vendorId: "shop", status: "CANCELLED" }]);
  });
});

describe("large pulls: staged to JSON Lines and handed to the batch workflow once", () => {
  it("writes the first records directly, stages the rest, hands them over once, and ends with all counts", async () => {
    const direct = await open();
    const all = await runToEnd(direct, (await start(direct)).jobId, clock);
    await direct.close();
    sandbox = undefined;

    const s = await open({ batchHandoffRecords: 2 });
    const started = vi.spyOn(s.scheduled.batch, "start");
    const job = await start(s);
    const { job: done } = await runToEnd(s, job.jobId, clock);

    expect(done).toMatchObject({ status: "SUCCEEDED", rowsRead: 5, handoff: { changes: expect.any(Number) } });
    expect(done.counts).toEqual(all.job.counts);
    expect(started).toHaveBeenCalledTimes(1);
    // Its end is published once, in the pull worker's `job.finished` shape, with the final counts.
    const published = readFileSync(join(s.dataDir, "job-notifications.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as JobNotification)
      .filter((n) => n.message.jobId === job.jobId);
    expect(published).toHaveLength(1);
    expect(published[0]?.attributes).toEqual({ vendorId: "shop", status: "SUCCEEDED", workflow: job.workflow });
    expect(published[0]?.message).toMatchObject({
      type: "job.finished",
      workflow: job.workflow,
      status: "SUCCEEDED",
      rowsRead: 5,
      counts: all.job.counts,
    });
    const manifestKey = done.handoff?.input ?? "";
    const manifest = v.parse(HandoffManifestSchema, JSON.parse((await s.archive.readText(manifestKey)) ?? "{}"));
    expect(manifest).toMatchObject({ format: "vendor-sync/pull-handoff", jobId: job.jobId, parts: [{}, {}] });
    const [part] = manifest.parts;
    const lines = ((await s.archive.readText(part?.key ?? "")) ?? "").trim().split("\n");
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ entityType: "product", source: "vendor:pull", line: 1 });
    expect(await price(s, "CVT-SM-GRY")).toBe(6000);
    expect((await s.sync.getVendorState("shop")).pullWatermark).toBe(done.startedAt);
    // The batch run freed the vendor: its next sync starts.
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
    await expect(start(s)).resolves.toMatchObject({ status: "QUEUED" });

    // A second start for the same job (a redelivery) finds the same run and starts nothing.
    const again = await s.scheduled.batch.start({
      jobId: job.jobId,
      vendorId: "shop",
      trigger: "admin",
      dryRun: false,
      input: { kind: "pull-manifest", manifestKey },
      baseCounts: done.counts,
      rowsRead: 5,
    });
    expect(again.executionId).toBe(done.handoff?.executionId);
  });

  it("fails the job and frees the vendor when the batch run cannot read the hand-off", async () => {
    const s = await open({ batchHandoffRecords: 2 });
    const job = await start(s);
    // The staged manifest is lost before the batch run reads it (an expired object, a wrong bucket).
    const original = s.scheduled.batch.start.bind(s.scheduled.batch);
    vi.spyOn(s.scheduled.batch, "start").mockImplementation(async (request) => {
      if (request.input.kind === "pull-manifest") await s.archive.writeText(request.input.manifestKey, "not json");
      return original(request);
    });
    const { job: done } = await runToEnd(s, job.jobId, clock);
    expect(done.status).toBe("FAILED");
    expect(done.errorSummary).toMatch(/is not a pull hand-off manifest/);
    expect((await s.sync.getVendorState("shop")).runningJobId).toBeUndefined();
    expect((await s.sync.getVendorState("shop")).pullWatermark).toBeUndefined();
    const published = readFileSync(join(s.dataDir, "job-notifications.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as JobNotification)
      .filter((n) => n.message.jobId === job.jobId);
    expect(published.map((n) => [n.message.type, n.message.status])).toEqual([["job.finished", "FAILED"]]);
  });
});
