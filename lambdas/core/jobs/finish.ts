import type { TallyState } from "../changes/tally.ts";
import { ConcurrentUpdateError } from "../errors.ts";
import type { JobStatus } from "../outcomes.ts";
import { JobNotFoundError } from "./errors.ts";
import { isDryRun, type JobItem } from "./job.ts";
import type { JobStore, TransitionGuard } from "./ports.ts";

/** How a job ended, as the code that ran it reports it. */
export interface JobEnd {
  readonly status: Exclude<JobStatus, "QUEUED" | "RUNNING">;
  /** What the job counted (outcomes, rows, pages, freshness). */
  readonly tally: TallyState;
  readonly errorSummary?: string;
  /** Where rejected changes were written, or `null` when none were. */
  readonly rejectsFile?: string | null;
  /**
   * Stored on the vendor when the job succeeds (not for dry runs): the pull watermark (epoch ms) or the
   * file-drop position.
   */
  readonly watermark?: { readonly pullWatermark?: number; readonly fileDropAfterKey?: string };
  /** Conditions on the status change: the step a worker holds, the heartbeat the watchdog saw. */
  readonly guard?: TransitionGuard;
}

/**
 * A job its ender has not read (the batch workflow's commit): who it is and whether it is a dry run.
 * {@link finishJob} then has the store compute the duration from the stored start, and leaves pages
 * fetched as stored.
 */
export interface UnreadJob {
  readonly jobId: string;
  readonly vendorId: string;
  readonly dryRun: boolean;
}

/** How {@link finishJob} treats the job. */
export interface FinishOptions {
  /** Wall clock of the end, epoch ms. */
  readonly at: number;
  /** Free the vendor's single-running-job lock when this job holds it. */
  readonly releaseLock: boolean;
  /**
   * A job already in the target status is left as it is and `finished` is `false` (a retried or
   * redriven stage); otherwise a {@link ConcurrentUpdateError} is thrown. @default false
   */
  readonly idempotent?: boolean;
}

/**
 * Ends a job, for every workflow: final status with counts, rows and duration; then, for a job that
 * succeeded (fully or partly) and is not a dry run, the vendor's freshness and watermark; then the
 * vendor's lock. The scheduled and on-demand workflows (`SyncJobs.finish`) and the batch workflow's
 * commit and Catch all end jobs here.
 *
 * The job is not read here: the status change returns it (one conditional write per ending; a read
 * only when that write fails and `idempotent` asks which status it is in).
 *
 * @returns the job as stored afterwards, and whether this call ended it.
 * @throws {ConcurrentUpdateError} when the job already ended (unless `idempotent` and in the same
 *   status) or a guard does not hold.
 * @throws {JobNotFoundError} when `idempotent` and there is no such job.
 */
export async function finishJob(
  store: JobStore,
  job: JobItem | UnreadJob,
  end: JobEnd,
  options: FinishOptions,
): Promise<{ job: JobItem; finished: boolean }> {
  const finishedAt = options.at;
  const read = "status" in job ? job : undefined;
  const startedAt = read?.startedAt ?? finishedAt;
  let finished: JobItem;
  try {
    finished = await store.transitionJob(
      job.jobId,
      end.status,
      {
        counts: end.tally.counts,
        rowsRead: end.tally.rowsRead,
        ...(end.tally.pagesFetched > 0 || read?.pagesFetched !== undefined
          ? { pagesFetched: end.tally.pagesFetched }
          : {}),
        ...(read ? { startedAt, durationMs: Math.max(0, finishedAt - startedAt) } : {}),
        finishedAt,
        heartbeatAt: finishedAt,
        ...(end.errorSummary === undefined ? {} : { errorSummary: end.errorSummary.slice(0, 2000) }),
        ...(end.rejectsFile === undefined ? {} : { rejectsFile: end.rejectsFile }),
        ...(end.watermark?.pullWatermark === undefined ? {} : { watermark: end.watermark.pullWatermark }),
      },
      end.guard ?? {},
      read ? {} : { durationUntil: finishedAt },
    );
  } catch (error) {
    if (!(options.idempotent && error instanceof ConcurrentUpdateError)) throw error;
    const stored = await store.getJob(job.jobId);
    if (!stored) throw new JobNotFoundError(job.jobId);
    if (stored.status !== end.status) throw error;
    return { job: stored, finished: false };
  }
  const succeeded = end.status === "SUCCEEDED" || end.status === "PARTIAL";
  if (succeeded && !(read ? isDryRun(read) : (job as UnreadJob).dryRun)) {
    await store.recordSync(job.vendorId, {
      finishedAt,
      ...(end.tally.newestSourceTs === undefined ? {} : { newestSourceTs: end.tally.newestSourceTs }),
    });
    const { pullWatermark, fileDropAfterKey } = end.watermark ?? {};
    if (pullWatermark !== undefined || fileDropAfterKey !== undefined) {
      await store.advanceWatermark(job.vendorId, {
        ...(pullWatermark === undefined ? {} : { pullWatermark }),
        ...(fileDropAfterKey === undefined ? {} : { fileDropAfterKey }),
      });
    }
  }
  if (options.releaseLock) await store.releaseVendorLock(job.vendorId, job.jobId);
  return { job: finished, finished: true };
}
