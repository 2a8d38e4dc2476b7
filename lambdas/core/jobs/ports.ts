import type { Readable } from "node:stream";
import type { Workflow } from "../model.ts";
import type { JobStatus, OutcomeCounts } from "../outcomes.ts";
import type { JobHandoff, JobItem, JobNotification, JobTrigger, StepBase, VendorState } from "./job.ts";

/** A new job, as {@link JobStore.createJob} stores it (QUEUED, or RUNNING with `startedAt`; zero counts). */
export interface NewJob {
  readonly jobId: string;
  readonly vendorId: string;
  readonly workflow: Workflow;
  readonly trigger: JobTrigger;
  readonly input: JobItem["input"];
  /** Epoch ms. */
  readonly createdAt: number;
  /** Pull jobs: the first step (1). */
  readonly step?: number;
  /** Who drives the job's run (see {@link JobItem.owner}). */
  readonly owner?: string;
  /** Epoch ms: the job is created already RUNNING, started then. @default created QUEUED */
  readonly startedAt?: number;
}

/** How {@link JobStore.transitionJob} writes what it cannot know without reading the job. */
export interface TransitionOptions {
  /**
   * Epoch ms: the end of the job, for a caller that has not read it. The store sets `durationMs` to
   * this minus the stored `startedAt` (which becomes this time when the job has none; a clock
   * behind the starter's yields a negative duration), in the same conditional write.
   */
  readonly durationUntil?: number;
}

/** Extra conditions on a status change, so a stale worker or a racing watchdog cannot overwrite a newer state. */
export interface TransitionGuard {
  /** Allowed current states. @default every state the target may follow */
  readonly from?: readonly JobStatus[];
  /** The job's `step` must still be this. */
  readonly step?: number;
  /** The job's `heartbeatAt` must still be this (`null`: it must have none). */
  readonly heartbeatAt?: number | null;
}

/** What became of an attempt to claim a job step. */
export type StepClaim =
  | { readonly kind: "claimed"; readonly job: JobItem }
  /** The job is not waiting for this step (ended, further along, or gone); `job` is what is stored. */
  | { readonly kind: "not-current"; readonly job: JobItem | undefined }
  /** Another worker holds this step's lease (a duplicate delivery): try again later. */
  | { readonly kind: "leased"; readonly job: JobItem };

/** Live progress of a step, with the lease extended. */
export interface StepProgress {
  readonly counts: JobItem["counts"];
  readonly rowsRead: number;
  readonly pagesFetched: number;
  /** Epoch ms. */
  readonly heartbeatAt: number;
  /** Epoch ms. */
  readonly leaseUntil: number;
}

/**
 * A vendor's state: its single-running-job lock, pull watermark, file-drop position and freshness
 * (one item per vendor in the sync table). Times and watermarks move forward only.
 */
export interface VendorStateStore {
  getVendorState(vendorId: string): Promise<VendorState>;
  /**
   * Takes the vendor's single-running-job lock for `jobId` (a conditional write on the vendor state).
   * @returns the job holding it when it is taken.
   */
  acquireVendorLock(
    vendorId: string,
    jobId: string,
    at: number,
  ): Promise<{ readonly acquired: true } | { readonly acquired: false; readonly holder: string }>;
  /** Gives the lock back, only if `jobId` still holds it. */
  releaseVendorLock(vendorId: string, jobId: string): Promise<void>;
  /** Records a finished sync (freshness moves forward only). */
  recordSync(vendorId: string, sync: { finishedAt: number; newestSourceTs?: number }): Promise<void>;
  /** Moves the vendor's pull watermark or file-drop position forward (never back). */
  advanceWatermark(vendorId: string, watermark: { pullWatermark?: number; fileDropAfterKey?: string }): Promise<void>;
}

/**
 * Jobs and vendor state, as the job lifecycle needs them (the sync table on AWS and in the sandbox).
 * Every state change is a conditional write: jobs never move backwards.
 */
export interface JobStore extends VendorStateStore {
  /** @throws {ConcurrentUpdateError} when a job with this id already exists. */
  createJob(job: NewJob): Promise<JobItem>;
  getJob(jobId: string): Promise<JobItem | undefined>;
  /** Jobs of a vendor, newest first. @param options.since - created at or after (epoch ms). */
  listJobs(vendorId: string, options?: { since?: number; limit?: number }): Promise<JobItem[]>;
  /**
   * Moves a job to `status` with `fields`, in one conditional write.
   * @returns the job as stored afterwards (no read of the job).
   * @throws {ConcurrentUpdateError} when the job does not exist, is not in an allowed state, or a guard
   *   does not hold.
   */
  transitionJob(
    jobId: string,
    status: JobStatus,
    fields?: Partial<Omit<JobItem, "jobId" | "vendorId" | "status">>,
    guard?: TransitionGuard,
    options?: TransitionOptions,
  ): Promise<JobItem>;
  /** Records a cancel request on a running job. @returns `false` when the job is no longer running. */
  requestCancel(jobId: string, at: number): Promise<boolean>;
  /**
   * Makes `owner` the driver of a job that has not ended (a hand-over's batch run taking it on).
   * @returns `false` when the job has ended or does not exist.
   */
  setJobOwner(jobId: string, owner: string): Promise<boolean>;
}

/** The pull worker's part of the job store: claiming, reporting and handing over steps. */
export interface StepStore extends JobStore {
  /** Claims step `step` of a job for this invocation: QUEUED/RUNNING → RUNNING with a lease. */
  claimStep(jobId: string, step: number, at: number, leaseUntil: number): Promise<StepClaim>;
  /**
   * Reports live counts and extends the lease.
   * @returns `"cancel-requested"` when an admin asked to cancel, `"lost"` when the job moved on
   *   without this worker (ended by the watchdog, another step), else `"ok"`.
   */
  reportStep(jobId: string, step: number, progress: StepProgress): Promise<"ok" | "cancel-requested" | "lost">;
  /**
   * Ends step `step` and makes `step + 1` current with its resume state and base counts.
   * @throws {ConcurrentUpdateError} when the job is no longer at `step` or no longer running.
   */
  handOver(
    jobId: string,
    step: number,
    next: { resumeState: string; base: StepBase; heartbeatAt: number },
  ): Promise<void>;
  /** Gives a step's lease back after a failure, so a retry can claim it at once. */
  releaseStep(jobId: string, step: number): Promise<void>;
  /**
   * Records the hand-off to the batch workflow once.
   * @returns `false` when the job already has one (a redelivery): the batch workflow is started by name,
   *   idempotently, either way.
   */
  recordHandoff(jobId: string, step: number, handoff: JobHandoff, progress: StepBase): Promise<boolean>;
}

/**
 * Stops a job's batch run (an import, or a pull handed over to the batch workflow): Step Functions
 * StopExecution on AWS, the in-process run in the sandbox. The run's end then ends the job CANCELLED
 * (on AWS the execution's ABORTED status event, in the sandbox the run itself).
 */
export interface BatchExecutionControl {
  stop(job: JobItem, cause: string): Promise<void>;
}

/** Publishes job notifications (the jobs SNS topic on AWS, a file in the sandbox). */
export interface JobNotifier {
  jobFinished(notification: JobNotification): Promise<void>;
}

/**
 * What the pull worker hands to the batch workflow: a large pull's staged changes, or a large file
 * from a file drop. The batch workflow runs it under the same job, adds its outcomes to `baseCounts`,
 * and finishes the job with `SyncJobs.finish` (status, counts, `watermark` on success, lock released,
 * notification), so a pull job ends the same way whoever finishes it.
 */
export interface BatchHandoffRequest {
  readonly jobId: string;
  readonly vendorId: string;
  /** The job's trigger. */
  readonly trigger: JobTrigger;
  readonly dryRun: boolean;
  readonly input:
    | {
        /** Canonical JSON Lines parts listed by a manifest (`HandoffManifestSchema`). */
        readonly kind: "pull-manifest";
        readonly manifestKey: string;
      }
    | {
        /** A vendor file in the vendor's `channels.file` format. */
        readonly kind: "vendor-file";
        readonly bucket: string;
        readonly key: string;
        /** The object's last-modified time, epoch ms: the as-of time of rows without their own. */
        readonly asOf: number;
      };
  /** Outcomes the pull worker already applied for this job. */
  readonly baseCounts: OutcomeCounts;
  /** Records or rows the job read before the hand-off. */
  readonly rowsRead: number;
  /** Stored when the job succeeds (see `JobOutcome`). */
  readonly watermark?: { readonly pullWatermark?: number; readonly fileDropAfterKey?: string };
}

/** Starts the batch workflow on a hand-off (Step Functions on AWS, the same state machine run locally in the sandbox). */
export interface BatchStarter {
  /**
   * Starts (or, for the same job, finds) the batch run. Idempotent by job id: the execution is named
   * after the job, so a second call for the same job starts nothing new.
   * @returns the execution's id (Step Functions execution ARN, or the sandbox runner's id).
   */
  start(request: BatchHandoffRequest): Promise<{ executionId: string }>;
}

/** One object a vendor dropped. */
export interface DroppedFile {
  readonly key: string;
  /** Bytes. */
  readonly size: number;
  /** Epoch ms: the as-of time of rows without their own time. */
  readonly lastModified: number;
}

/** A bucket (in the sandbox, a folder) a vendor drops files into: the file-drop connector's source. */
export interface FileDropSource {
  /** Objects under `prefix` after `startAfter`, in lexical key order, at most `limit`. */
  list(prefix: string, options: { readonly startAfter?: string; readonly limit: number }): Promise<DroppedFile[]>;
  /** Streams an object's bytes. */
  open(key: string): Promise<Readable>;
}
