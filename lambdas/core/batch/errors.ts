import { SystemError } from "../errors.ts";

/** An object the workflow expected (a normalised file, a change set) is not in the store. Retried: S3 is strongly consistent, so this is a bug or a lifecycle rule that ran too early. */
export class ObjectNotFoundError extends SystemError {
  readonly key: string;

  constructor(key: string, options: { cause?: unknown } = {}) {
    super(`object not found: ${key}`, options);
    this.name = "ObjectNotFoundError";
    this.key = key;
  }
}

/**
 * A stage was asked to work on a job that is already finished (a late retry or a second start of
 * the same job). Not retried: the job's outcome stands.
 */
export class JobFinishedError extends Error {
  readonly jobId: string;
  readonly status: string;

  constructor(jobId: string, status: string) {
    super(`job ${jobId} is already ${status}`);
    this.name = "JobFinishedError";
    this.jobId = jobId;
    this.status = status;
  }
}
