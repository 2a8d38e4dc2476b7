import type { Workflow } from "../model.ts";
import { FINAL_JOB_STATUSES, type JobStatus, type OutcomeCounts } from "../outcomes.ts";

/** What started a job. */
export type JobTrigger = "cli" | "schedule" | "admin" | "upload" | "webhook";

/** `incremental` reads what changed since the vendor's watermark (minus its lookback); `full` reads everything. */
export const SYNC_MODES = ["incremental", "full"] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** Where a pull handed its work to the batch workflow (large pulls, large dropped files). */
export interface JobHandoff {
  /** What was handed over: the manifest key of staged changes, or the dropped file's key. */
  readonly input: string;
  /** The batch workflow's execution (a Step Functions execution ARN, or the sandbox runner's id). */
  readonly executionId: string;
  /** Changes staged for the batch workflow (0 for a file). */
  readonly changes: number;
  /** Epoch ms. */
  readonly at: number;
}

/** Counts at the start of the pull step in progress: a retried step restarts from them, so nothing counts twice. */
export interface StepBase {
  readonly counts: OutcomeCounts;
  readonly rowsRead: number;
  readonly pagesFetched: number;
}

/**
 * A sync job as stored and reported (`vendor-sync job`, the admin API). Jobs move QUEUED → RUNNING →
 * SUCCEEDED | PARTIAL | FAILED | CANCELLED, never backwards.
 */
export interface JobItem {
  readonly jobId: string;
  readonly vendorId: string;
  readonly workflow: Workflow;
  readonly trigger: JobTrigger;
  readonly status: JobStatus;
  /** What the job was asked to do (file, as-of time, `mode`, `dryRun`, who asked). */
  readonly input: Readonly<Record<string, string | number | boolean | null>>;
  readonly counts: OutcomeCounts;
  /** Source rows read (files) or records pulled (vendor APIs), beside the change counts. */
  readonly rowsRead: number;
  /** Vendor API pages read so far (pulls). */
  readonly pagesFetched?: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** Last sign of life of a queued or running job, epoch ms. The watchdog fails jobs whose heartbeat stopped. */
  readonly heartbeatAt?: number;
  readonly durationMs?: number;
  readonly errorSummary?: string;
  /** Where rejected changes were written, or null when none were. */
  readonly rejectsFile?: string | null;
  /** When an admin asked to cancel a running job; the worker stops at the next page. Epoch ms. */
  readonly cancelRequestedAt?: number;
  /** Pull jobs: the number of the queue message that continues the job (1 for the first). */
  readonly step?: number;
  /** Pull jobs: a worker holds the step until this time, epoch ms (a redelivered message waits). */
  readonly leaseUntil?: number;
  /** Pull jobs: where the next step resumes (JSON, opaque outside the worker). */
  readonly resumeState?: string;
  /** Pull jobs: counts when the current step began. */
  readonly stepBase?: StepBase;
  /** Large pulls: the hand-off to the batch workflow, which finishes the job. */
  readonly handoff?: JobHandoff;
  /** Incremental pulls: the watermark the run stores when it succeeds, epoch ms. */
  readonly watermark?: number;
  /**
   * Who drives a batch run of this job, when its runner can die with it: `sandbox:<session>` for a
   * run inside a sandbox process (the data directory's ownership session, see local/data-dir.ts).
   * A job whose owner is gone is ended as interrupted (`lambdas/core/jobs/interrupted.ts`). On AWS
   * the Step Functions execution drives it and its status changes end it instead.
   */
  readonly owner?: string;
}

/** Per-vendor state in the sync table: freshness, pause, the running-job lock and the pull watermark. */
export interface VendorState {
  readonly vendorId: string;
  /** Wall-clock end of the last job that finished SUCCEEDED or PARTIAL, epoch ms. */
  readonly lastSuccessAt?: number;
  /** Newest `sourceTs` of an accepted change, epoch ms. */
  readonly newestSourceTs?: number;
  readonly paused?: boolean;
  /** The vendor's sync job that is queued or running (the single-running-job lock). */
  readonly runningJobId?: string;
  /** When the lock was taken, epoch ms. */
  readonly runningSince?: number;
  /** Start of the last successful incremental pull, epoch ms: the next one reads from here minus its lookback. */
  readonly pullWatermark?: number;
  /** The last file-drop object processed (keys are read in lexical order). */
  readonly fileDropAfterKey?: string;
}

/** @returns whether a job has ended. */
export function isFinal(job: Pick<JobItem, "status">): boolean {
  return FINAL_JOB_STATUSES.has(job.status);
}

/** A job as the admin API and the CLI show it: the worker's internals left out. */
export type JobView = Omit<JobItem, "leaseUntil" | "resumeState" | "stepBase" | "step">;

/** @returns the public view of a job. */
export function jobView(job: JobItem): JobView {
  const { leaseUntil: _lease, resumeState: _resume, stepBase: _base, step: _step, ...view } = job;
  return view;
}

/** @returns the job's mode (`input.mode`), incremental unless it says full. */
export function jobMode(job: Pick<JobItem, "input">): SyncMode {
  return job.input.mode === "full" ? "full" : "incremental";
}

/** @returns whether the job is a dry run (`input.dryRun`). */
export function isDryRun(job: Pick<JobItem, "input">): boolean {
  return job.input.dryRun === true;
}

/**
 * The notification published to the jobs topic when a job ends (SNS on AWS; a file in the sandbox).
 * Subscribers filter on `vendorId`, `status` and `workflow`.
 */
export interface JobNotification {
  readonly message: {
    readonly type: "job.finished";
    readonly jobId: string;
    readonly vendorId: string;
    readonly workflow: Workflow;
    readonly trigger: JobTrigger;
    readonly status: JobStatus;
    readonly dryRun: boolean;
    readonly counts: OutcomeCounts;
    readonly rowsRead: number;
    readonly startedAt?: number;
    readonly finishedAt?: number;
    readonly durationMs?: number;
    readonly errorSummary?: string;
  };
  readonly attributes: { readonly vendorId: string; readonly status: JobStatus; readonly workflow: Workflow };
}

/** @returns the notification for a finished job. */
export function jobNotification(job: JobItem): JobNotification {
  return {
    message: {
      type: "job.finished",
      jobId: job.jobId,
      vendorId: job.vendorId,
      workflow: job.workflow,
      trigger: job.trigger,
      status: job.status,
      dryRun: isDryRun(job),
      counts: job.counts,
      rowsRead: job.rowsRead,
      ...(job.startedAt === undefined ? {} : { startedAt: job.startedAt }),
      ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt }),
      ...(job.durationMs === undefined ? {} : { durationMs: job.durationMs }),
      ...(job.errorSummary === undefined ? {} : { errorSummary: job.errorSummary }),
    },
    attributes: { vendorId: job.vendorId, status: job.status, workflow: job.workflow },
  };
}
