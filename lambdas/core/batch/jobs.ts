import { ConcurrentUpdateError, ValidationError } from "../errors.ts";
import type { JobStore } from "../jobs/ports.ts";
import { FINAL_JOB_STATUSES, type JobStatus, type OutcomeCounts } from "../outcomes.ts";
import { JobFinishedError } from "./errors.ts";
import type { BatchExecutionInput } from "./model.ts";

/**
 * Creates the job of a batch execution RUNNING, or moves the job its runner created (QUEUED) to
 * RUNNING. Safe to repeat (a retried prepare): an existing RUNNING job is left as it is. Writes
 * first, so a run's start reads no job item; only a write refused by its condition reads it.
 *
 * @throws {JobFinishedError} when the job already finished (a late retry must not restart it).
 */
export async function startBatchJob(input: BatchExecutionInput, jobs: JobStore, now: number): Promise<void> {
  try {
    await jobs.createJob({ ...newBatchJob(input, now), startedAt: now });
    return;
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
  try {
    await jobs.transitionJob(input.jobId, "RUNNING", { startedAt: now, heartbeatAt: now }, { from: ["QUEUED"] });
    return;
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    const job = await jobs.getJob(input.jobId);
    if (job?.status === "RUNNING") return;
    if (job && FINAL_JOB_STATUSES.has(job.status)) throw new JobFinishedError(input.jobId, job.status);
    throw error;
  }
}

/** The job item of a batch execution, as it is first stored. */
function newBatchJob(input: BatchExecutionInput, now: number, owner?: string) {
  return {
    jobId: input.jobId,
    vendorId: input.vendorId,
    workflow: "batch" as const,
    trigger: input.trigger,
    input: {
      bucket: input.source.bucket,
      key: input.source.key,
      versionId: input.source.versionId ?? null,
      asOf: input.asOf,
      full: input.full,
      dryRun: input.dryRun,
    },
    createdAt: now,
    ...(owner === undefined ? {} : { owner }),
  };
}

/**
 * Records who drives a batch run before it starts (a runner that can die with its process): creates
 * the job (QUEUED, for prepare to start) with `owner`, or makes `owner` the driver of the job a pull
 * handed over. A job whose owner is gone is ended as interrupted (`../jobs/interrupted.ts`). Writes
 * first: the job is read only when it has already ended, to name its status.
 *
 * @throws {JobFinishedError} when the job has already ended.
 */
export async function ownBatchJob(
  input: BatchExecutionInput,
  jobs: JobStore,
  owner: string,
  now: number,
): Promise<void> {
  try {
    await jobs.createJob(newBatchJob(input, now, owner));
    return;
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
  if (await jobs.setJobOwner(input.jobId, owner)) return;
  const job = await jobs.getJob(input.jobId);
  throw new JobFinishedError(input.jobId, job?.status ?? "gone");
}

/**
 * Checks that the job a pull handed over is still running, so the batch run may continue it.
 *
 * @throws {JobFinishedError} when it already ended (cancelled, failed by the watchdog).
 * @throws {ValidationError} when there is no such job.
 */
export async function continueHandedOverJob(input: BatchExecutionInput, jobs: JobStore): Promise<void> {
  const job = await jobs.getJob(input.jobId);
  if (!job) throw new ValidationError(`handed-over job ${input.jobId} does not exist`, { field: "jobId" });
  if (job.status !== "RUNNING") throw new JobFinishedError(input.jobId, job.status);
}

/** The job notification published on the job topic (SNS), filterable by its attributes. */
export interface JobNotification {
  readonly subject: string;
  /** JSON text of {@link JobNotificationBody}. */
  readonly message: string;
  /** The `workflow` message attribute subscribers filter on: `batch`, or a handed-over job's own. */
  readonly workflow: string;
}

export interface JobNotificationBody {
  readonly type: "batch-job-finished";
  readonly jobId: string;
  readonly vendorId: string;
  readonly status: JobStatus;
  readonly dryRun: boolean;
  readonly counts: OutcomeCounts;
  readonly rowsRead: number;
  readonly durationMs?: number;
  readonly rejects: string | null;
  readonly diffReport?: string;
  readonly error?: string;
}

/** @returns the notification for a finished job (subject at most 100 characters, as SNS allows). */
export function jobNotification(body: Omit<JobNotificationBody, "type">): JobNotification {
  const subject = `vendor-sync ${body.dryRun ? "dry run" : "batch job"} ${body.status}: ${body.vendorId} ${body.jobId}`;
  return {
    subject: subject.slice(0, 100),
    message: JSON.stringify({ type: "batch-job-finished", ...body }),
    workflow: "batch",
  };
}
