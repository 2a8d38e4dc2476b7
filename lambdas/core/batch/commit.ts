import pLimit from "p-limit";
import { finishJob } from "../jobs/finish.ts";
import { type JobItem, jobNotification as syncJobNotification } from "../jobs/job.ts";
import type { JobStore } from "../jobs/ports.ts";
import { emptyCounts, FINAL_JOB_STATUSES, type JobStatus, type OutcomeCounts, statusFromCounts } from "../outcomes.ts";
import { ObjectNotFoundError } from "./errors.ts";
import { type JobNotification, jobNotification } from "./jobs.ts";
import { concatObjects, listAll, readJson } from "./json-lines.ts";
import { jobKeys } from "./layout.ts";
import type { ApplyPartResult, BatchHandoff, ValidationReport } from "./model.ts";
import { sumCounts } from "./plan.ts";
import type { BatchTrigger, ObjectStore } from "./ports.ts";
import { countsOfFailedValidation } from "./validate.ts";

export interface CommitDeps {
  readonly store: ObjectStore;
  readonly jobs: JobStore;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
  /** Results read in parallel. @default 16 */
  readonly readConcurrency?: number;
}

/** How a batch job ended; returned to the state machine (small) and printed by the CLI. */
export interface CommitResult {
  readonly jobId: string;
  readonly vendorId: string;
  readonly status: JobStatus;
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly rowsRead: number;
  /** Final counts: for a dry run, what would happen; for a failed validation, rejects as found and the rest `failed`. */
  readonly counts: OutcomeCounts;
  /** What the plan decided, before apply. */
  readonly planned: OutcomeCounts;
  readonly durationMs: number;
  /** Where every rejected or failed change is listed, or `null`. */
  readonly rejectsFile: string | null;
  readonly diffReport?: string;
  readonly tombstones?: ValidationReport["tombstones"];
  readonly error?: string;
  readonly notification: JobNotification;
}

/**
 * The aggregate + commit stage: sums the per-part apply results from the store (never from the
 * state payload) with the outcomes already settled at plan, counts changes of apply parts that never
 * reported (failed batches the Map tolerated) as `failed`, joins the rejects parts into one file,
 * moves the job to its final status with counts and duration, and records the vendor's freshness.
 * A job the pull worker handed over also gets the worker's counts and rows added, its watermark
 * stored on success, and its vendor freed for the next sync.
 * A dry run ends SUCCEEDED with the planned counts; a failed validation ends FAILED with its reason.
 * Safe to repeat. Reads no job item: the status change returns it.
 *
 * @throws {ObjectNotFoundError} when validation never stored its report.
 * @throws {JobNotFoundError} when there is no such job.
 */
export async function commitJob(request: { vendorId: string; jobId: string }, deps: CommitDeps): Promise<CommitResult> {
  const keys = jobKeys(request.vendorId, request.jobId);
  const report = await readJson<ValidationReport>(deps.store, keys.validation);
  if (!report) throw new ObjectNotFoundError(keys.validation);
  let counts: OutcomeCounts;
  let status: JobStatus;
  let newestSourceTs = report.newestSettledSourceTs;
  if (!report.ok) {
    counts = report.dryRun ? report.planned : countsOfFailedValidation(report);
    status = "FAILED";
  } else if (report.dryRun) {
    counts = report.planned;
    status = "SUCCEEDED";
  } else {
    const results = await applyResults(deps.store, keys, deps.readConcurrency);
    const applied = sumCounts(results.map((r) => r.counts));
    counts = sumCounts([report.settled, applied]);
    const missing = report.pending - applied.received;
    if (missing > 0) {
      counts.failed += missing;
      counts.received += missing;
    }
    for (const r of results) {
      if (r.newestSourceTs !== undefined && (newestSourceTs === undefined || r.newestSourceTs > newestSourceTs)) {
        newestSourceTs = r.newestSourceTs;
      }
    }
    status = statusFromCounts(counts);
  }
  // A job the pull worker handed over: add what it already applied and read before the hand-off.
  const handoff = await readJson<BatchHandoff>(deps.store, keys.handoff);
  let rowsRead = report.rowsRead;
  if (handoff) {
    counts = sumCounts([handoff.baseCounts, counts]);
    if (status !== "FAILED" && !report.dryRun) status = statusFromCounts(counts);
    // A pull's rows are its records, counted by the worker; a dropped file's rows are read here.
    rowsRead = handoff.kind === "pull-manifest" ? handoff.rowsRead : handoff.rowsRead + report.rowsRead;
  }
  const parts = (await listAll(deps.store, keys.rejectsPartsPrefix)).filter((key) => key.endsWith(".jsonl"));
  const rejectsKey = parts.length > 0 ? keys.rejects : null;
  if (rejectsKey) await concatObjects(deps.store, parts, rejectsKey);
  const rejectsFile = rejectsKey ? deps.store.locate(rejectsKey) : null;

  const error = report.reason;
  // The job is not read: its ending returns it, and the store computes its duration (finishJob).
  const { job: finished } = await finishJob(
    deps.jobs,
    { jobId: request.jobId, vendorId: request.vendorId, dryRun: report.dryRun },
    {
      status,
      tally: {
        counts,
        rowsRead,
        pagesFetched: 0, // pages fetched stay as the pull worker stored them
        ...(newestSourceTs === undefined ? {} : { newestSourceTs }),
      },
      rejectsFile,
      ...(error ? { errorSummary: error } : {}),
      ...(handoff?.watermark ? { watermark: handoff.watermark } : {}),
    },
    // The pull's job held the vendor (one running sync per vendor): free it for its next sync.
    { at: deps.now(), releaseLock: handoff !== undefined, idempotent: true },
  );
  const durationMs = finished.durationMs ?? 0;
  const diffReport = report.diffReportKey ? deps.store.locate(report.diffReportKey) : undefined;
  const batchNotification = jobNotification({
    jobId: request.jobId,
    vendorId: request.vendorId,
    status,
    dryRun: report.dryRun,
    counts,
    rowsRead,
    durationMs,
    rejects: rejectsFile,
    ...(diffReport ? { diffReport } : {}),
    ...(error ? { error } : {}),
  });
  return {
    jobId: request.jobId,
    vendorId: request.vendorId,
    status,
    dryRun: report.dryRun,
    full: report.full,
    rowsRead,
    counts,
    planned: report.planned,
    durationMs,
    rejectsFile,
    ...(diffReport ? { diffReport } : {}),
    ...(report.tombstones ? { tombstones: report.tombstones } : {}),
    ...(error ? { error } : {}),
    notification: handoff ? handedOverNotification(finished, batchNotification) : batchNotification,
  };
}

/** @returns the apply parts' stored results (each part reports once; parts that never ran have none). */
export async function applyResults(
  store: ObjectStore,
  keys: ReturnType<typeof jobKeys>,
  readConcurrency = 16,
): Promise<ApplyPartResult[]> {
  const limit = pLimit(readConcurrency);
  const resultKeys = (await listAll(store, keys.applyResultsPrefix)).filter((key) => key.endsWith(".json"));
  return (await Promise.all(resultKeys.map((key) => limit(() => readJson<ApplyPartResult>(store, key))))).filter(
    (r): r is ApplyPartResult => r !== undefined,
  );
}

/**
 * A job the pull worker handed over ends like any sync job: its notification has the scheduled
 * workflow's `job.finished` shape (what subscribers of that vendor's pulls expect), built from the
 * finished job item.
 */
export function handedOverNotification(job: JobItem, fallback: JobNotification): JobNotification {
  if (job.workflow === "batch") return fallback;
  const { message } = syncJobNotification(job);
  return {
    subject: `vendor-sync job ${message.status}: ${message.vendorId}`.slice(0, 100),
    message: JSON.stringify(message),
    workflow: message.workflow,
  };
}

/** The error a Catch passes on: `{ Error, Cause }` as Step Functions words it. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}

/**
 * The Catch handler: marks the job FAILED with the error (a Map over its tolerated failure
 * percentage, a stage that kept failing) and builds the notification. Creates the job when the
 * failure came before prepare created it. Safe to repeat.
 */
export async function failJob(
  request: { vendorId: string; jobId: string; error: CaughtError; trigger?: BatchTrigger },
  deps: Omit<CommitDeps, "store">,
): Promise<{ status: "FAILED"; error: string; notification: JobNotification }> {
  const cause = typeof request.error.Cause === "string" ? request.error.Cause : "";
  const error = `${request.error.Error}${cause ? `: ${cause.slice(0, 500)}` : ""}`;
  const now = deps.now();
  const job =
    (await deps.jobs.getJob(request.jobId)) ??
    (await deps.jobs.createJob({
      jobId: request.jobId,
      vendorId: request.vendorId,
      workflow: "batch",
      trigger: request.trigger ?? "upload",
      input: {},
      createdAt: now,
    }));
  // A job that already ended (commit finished it, then a later step failed) keeps its outcome.
  const failed = FINAL_JOB_STATUSES.has(job.status)
    ? job
    : (
        await finishJob(
          deps.jobs,
          job,
          {
            status: "FAILED",
            tally: { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
            errorSummary: error,
          },
          // A job the pull worker handed over held the vendor: free it, or its next sync could never start.
          { at: now, releaseLock: job.handoff !== undefined, idempotent: true },
        )
      ).job;
  if (FINAL_JOB_STATUSES.has(job.status) && job.handoff !== undefined) {
    await deps.jobs.releaseVendorLock(request.vendorId, request.jobId);
  }
  const notification = jobNotification({
    jobId: request.jobId,
    vendorId: request.vendorId,
    status: "FAILED",
    dryRun: false,
    counts: emptyCounts(),
    rowsRead: 0,
    durationMs: failed.durationMs ?? Math.max(0, now - (job.startedAt ?? job.createdAt)),
    rejects: null,
    error,
  });
  return {
    status: "FAILED",
    error,
    notification: job.handoff !== undefined ? handedOverNotification(failed, notification) : notification,
  };
}
