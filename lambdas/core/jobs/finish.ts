import type { TallyState } from "../changes/tally.ts";
import { ConcurrentUpdateError } from "../errors.ts";
import type { JobStatus } from "../outcomes.ts";
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
 * @returns the job as stored afterwards, and whether this call ended it.
 * @throws {ConcurrentUpdateError} when the job already ended (unless `idempotent` and in the same
 *   status) or a guard does not hold.
 */
export async function finishJob(
  store: JobStore,
  job: JobItem,
  end: JobEnd,
  options: FinishOptions,
): Promise<{ job: JobItem; finished: boolean }> {
  const finishedAt = options.at;
  const startedAt = job.startedAt ?? finishedAt;
  try {
    await store.transitionJob(
      job.jobId,
      end.status,
      {
        counts: end.tally.counts,
        rowsRead: end.tally.rowsRead,
        ...(end.tally.pagesFetched > 0 || job.pagesFetched !== undefined
          ? { pagesFetched: end.tally.pagesFetched }
          : {}),
        startedAt,
        finishedAt,
        heartbeatAt: finishedAt,
        durationMs: Math.max(0, finishedAt - startedAt),
        ...(end.errorSummary === undefined ? {} : { errorSummary: end.errorSummary.slice(0, 2000) }),
        ...(end.rejectsFile === undefined ? {} : { rejectsFile: end.rejectsFile }),
        ...(end.watermark?.pullWatermark === undefined ? {} : { watermark: end.watermark.pullWatermark }),
      },
      end.guard ?? {},
    );
  } catch (error) {
    if (!(options.idempotent && error instanceof ConcurrentUpdateError)) throw error;
    const stored = await store.getJob(job.jobId);
    if (stored?.status !== end.status) throw error;
    return { job: stored, finished: false };
  }
  const succeeded = end.status === "SUCCEEDED" || end.status === "PARTIAL";
  if (succeeded && !isDryRun(job)) {
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
  return { job: (await store.getJob(job.jobId)) ?? job, finished: true };
}
