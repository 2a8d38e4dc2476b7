/**
 * Ending a batch job that will not reach its commit: its runner is gone (a killed process; an
 * execution aborted, timed out or failed without reaching its Catch) or an admin cancelled it. The
 * changes already written count as their outcomes and every other change as `failed`, so received =
 * sum of outcomes holds; the rejects found so far are kept; a handed-over job frees its vendor. A
 * re-run of the same file reconciles: what was written is `unchanged` the second time.
 */

import type { PlannedEntry } from "../changes/planned.ts";
import { ConcurrentUpdateError } from "../errors.ts";
import { finishJob } from "../jobs/finish.ts";
import type { JobItem } from "../jobs/job.ts";
import type { JobStore } from "../jobs/ports.ts";
import { OUTCOMES, recordId } from "../model.ts";
import { emptyCounts, type OutcomeCounts } from "../outcomes.ts";
import type { RecordStore } from "../ports.ts";
import { applyResults, handedOverNotification } from "./commit.ts";
import { ObjectNotFoundError } from "./errors.ts";
import { type JobNotification, jobNotification } from "./jobs.ts";
import { concatObjects, listAll, readJson } from "./json-lines.ts";
import { jobKeys } from "./layout.ts";
import type { BatchHandoff, ManifestItem, PlanBatchSummary, ValidationReport } from "./model.ts";
import { sumCounts } from "./plan.ts";
import type { ObjectStore } from "./ports.ts";
import { countsOfFailedValidation } from "./validate.ts";

/** How the job ends, and why (kept as its error summary). */
export interface EarlyEnding {
  readonly status: "FAILED" | "CANCELLED";
  readonly reason: string;
}

export interface EndEarlyDeps {
  readonly store: ObjectStore;
  readonly jobs: JobStore;
  /** Tells which changes of apply parts that never reported were written. @default they count as failed */
  readonly records?: Pick<RecordStore, "getMany">;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
}

/** What {@link endBatchJobEarly} did. */
export interface EndedEarly {
  /** False when the job had already ended (nothing changed). */
  readonly ended: boolean;
  readonly counts: OutcomeCounts;
  readonly rowsRead: number;
  readonly rejectsFile: string | null;
  /** The job-finished notification to publish (the Notify step did not run). */
  readonly notification: JobNotification;
}

/** @returns the objects of a JSON Lines object, or none when it does not exist. */
async function readJsonLinesIfAny<T>(store: ObjectStore, key: string): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const line of store.readLines(key)) if (line !== "") items.push(JSON.parse(line) as T);
  } catch (error) {
    if (!(error instanceof ObjectNotFoundError)) throw error;
  }
  return items;
}

/**
 * Outcomes of the apply parts that never reported (their runner stopped inside them): a planned write
 * counts as its outcome when the stored record carries this job and the change's event id (it was
 * written), else as `failed`; a change held for review counts as `failed`.
 */
async function unreportedPartCounts(
  store: ObjectStore,
  records: Pick<RecordStore, "getMany">,
  jobId: string,
  parts: readonly ManifestItem[],
): Promise<OutcomeCounts> {
  const counts = emptyCounts();
  for (const part of parts) {
    const entries = await readJsonLinesIfAny<PlannedEntry>(store, part.key);
    const stored = await records.getMany(
      entries.filter((e) => e.action === "write").map((e) => e.change),
      { consistent: true },
    );
    for (const entry of entries) {
      const record = stored.get(recordId(entry.change));
      const written =
        entry.action === "write" && record?.lastJobId === jobId && record.lastEventId === entry.change.eventId;
      counts[written ? entry.outcome : "failed"]++;
      counts.received++;
    }
  }
  return counts;
}

/**
 * The outcomes of a batch job so far, from what its stages stored: with a validation report, the
 * settled outcomes, the apply parts' results, the parts that never reported as the records table
 * shows them (when `records` is given), and every other change as `failed` (as commit counts them);
 * before validation (nothing was written yet), the plan batches' outcomes with the changes they left
 * to apply as `failed`, and prepare's rejects.
 */
export async function batchCountsSoFar(
  store: ObjectStore,
  job: { vendorId: string; jobId: string },
  records?: Pick<RecordStore, "getMany">,
): Promise<{ counts: OutcomeCounts; rowsRead: number }> {
  const keys = jobKeys(job.vendorId, job.jobId);
  const report = await readJson<ValidationReport>(store, keys.validation);
  if (report && (!report.ok || report.dryRun)) {
    return { counts: countsOfFailedValidation(report), rowsRead: report.rowsRead };
  }
  if (report) {
    const results = await applyResults(store, keys);
    const reported = new Set(results.map((r) => r.partId));
    const unreported: ManifestItem[] = [];
    for (const manifest of [report.changeManifestKey, report.tombstoneManifestKey]) {
      const items = await readJsonLinesIfAny<ManifestItem>(store, manifest);
      unreported.push(...items.filter((item) => !reported.has(item.partId)));
    }
    const applied = sumCounts([
      ...results.map((r) => r.counts),
      ...(records ? [await unreportedPartCounts(store, records, job.jobId, unreported)] : []),
    ]);
    const counts = sumCounts([report.settled, applied]);
    const missing = report.pending - applied.received;
    if (missing > 0) {
      counts.failed += missing;
      counts.received += missing;
    }
    return { counts, rowsRead: report.rowsRead };
  }
  const summaryKeys = (await listAll(store, keys.planResultsPrefix)).filter((key) => key.endsWith(".json"));
  const summaries = (await Promise.all(summaryKeys.map((key) => readJson<PlanBatchSummary>(store, key)))).filter(
    (s): s is PlanBatchSummary => s !== undefined,
  );
  const counts = emptyCounts();
  for (const summary of summaries) {
    for (const outcome of OUTCOMES) counts[outcome] += summary.counts[outcome] - summary.pending[outcome];
    counts.failed += summary.pending.received;
    counts.received += summary.counts.received;
  }
  const prepareRejects = (await readJsonLinesIfAny<unknown>(store, keys.prepareRejects)).length;
  counts.rejected += prepareRejects;
  counts.received += prepareRejects;
  return { counts, rowsRead: 0 };
}

/**
 * Ends a batch job (or a job the pull worker handed over) that did not commit: FAILED or CANCELLED
 * with its counts so far ({@link batchCountsSoFar}, plus what a pull applied before the hand-over),
 * its rejects joined into one file, the reason as its error summary, and a handed-over job's vendor
 * freed — through the one job finish (`finishJob`). Safe to repeat: a job that already ended is left
 * as it is.
 */
export async function endBatchJobEarly(job: JobItem, ending: EarlyEnding, deps: EndEarlyDeps): Promise<EndedEarly> {
  const keys = jobKeys(job.vendorId, job.jobId);
  let { counts, rowsRead } = await batchCountsSoFar(deps.store, job, deps.records);
  if (job.handoff !== undefined) {
    // What the pull applied and read before it handed over: stored by prepare, else still the job's own.
    const handoff = await readJson<BatchHandoff>(deps.store, keys.handoff);
    counts = sumCounts([handoff?.baseCounts ?? job.counts, counts]);
    rowsRead = handoff
      ? handoff.kind === "pull-manifest"
        ? handoff.rowsRead
        : handoff.rowsRead + rowsRead
      : job.rowsRead;
  }
  const parts = (await listAll(deps.store, keys.rejectsPartsPrefix)).filter((key) => key.endsWith(".jsonl"));
  const rejectsFile = parts.length > 0 ? deps.store.locate(keys.rejects) : null;
  if (parts.length > 0) await concatObjects(deps.store, parts, keys.rejects);
  const at = deps.now();
  let finished: JobItem = job;
  let ended = false;
  try {
    ({ job: finished, finished: ended } = await finishJob(
      deps.jobs,
      job,
      {
        status: ending.status,
        tally: { counts, rowsRead, pagesFetched: job.pagesFetched ?? 0 },
        errorSummary: ending.reason,
        rejectsFile,
        guard: { from: ["QUEUED", "RUNNING"] },
      },
      // A handed-over job held the vendor: free it, or the vendor's next sync could never start.
      { at, releaseLock: job.handoff !== undefined },
    ));
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    // It ended meanwhile (its run committed or was caught): that end stands.
  }
  const batch = jobNotification({
    jobId: job.jobId,
    vendorId: job.vendorId,
    status: ending.status,
    dryRun: false,
    counts,
    rowsRead,
    durationMs: finished.durationMs ?? Math.max(0, at - (job.startedAt ?? job.createdAt)),
    rejects: rejectsFile,
    error: ending.reason,
  });
  return {
    ended,
    counts,
    rowsRead,
    rejectsFile,
    notification: job.handoff !== undefined ? handedOverNotification(finished, batch) : batch,
  };
}
