import { VendorSyncError } from "../errors.ts";
import type { JobStatus } from "../outcomes.ts";

/**
 * The vendor already has a queued or running sync job: a vendor is never synced twice at once (its
 * schedule skips, the admin API answers 409 naming the running job).
 */
export class SyncAlreadyRunningError extends VendorSyncError {
  readonly kind = "business" as const;
  readonly retryable = false;
  readonly vendorId: string;
  /** The job holding the vendor's lock. */
  readonly runningJobId: string;

  constructor(vendorId: string, runningJobId: string) {
    super(`vendor ${vendorId} already has sync job ${runningJobId} queued or running`);
    this.name = "SyncAlreadyRunningError";
    this.vendorId = vendorId;
    this.runningJobId = runningJobId;
  }
}

/** No job with this id (or it expired). */
export class JobNotFoundError extends VendorSyncError {
  readonly kind = "validation" as const;
  readonly retryable = false;
  readonly jobId: string;

  constructor(jobId: string) {
    super(`no job ${jobId}`);
    this.name = "JobNotFoundError";
    this.jobId = jobId;
  }
}

/** The job has already ended and cannot be cancelled. */
export class JobNotCancellableError extends VendorSyncError {
  readonly kind = "business" as const;
  readonly retryable = false;
  readonly jobId: string;
  readonly status: JobStatus;

  constructor(jobId: string, status: JobStatus) {
    super(`job ${jobId} has already ended (${status}); only a queued or running job can be cancelled`);
    this.name = "JobNotCancellableError";
    this.jobId = jobId;
    this.status = status;
  }
}

/** The vendor cannot be synced on demand or on a schedule: it is disabled, or has no pull or file-drop channel. */
export class VendorNotSyncableError extends VendorSyncError {
  readonly kind = "validation" as const;
  readonly retryable = false;
  readonly vendorId: string;

  constructor(vendorId: string, reason: string) {
    super(`vendor ${vendorId} cannot be synced: ${reason}`);
    this.name = "VendorNotSyncableError";
    this.vendorId = vendorId;
  }
}
