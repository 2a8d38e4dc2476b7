import { UnknownVendorError, VendorSyncError } from "../core/errors.ts";
import {
  JobNotCancellableError,
  JobNotFoundError,
  SyncAlreadyRunningError,
  VendorNotSyncableError,
} from "../core/jobs/errors.ts";

/** An error as the admin API and the on-demand function report it. */
export interface ErrorBody {
  /** The error class (`SyncAlreadyRunningError`, `JobNotFoundError`…). */
  readonly name: string;
  readonly message: string;
  /** The HTTP status the admin API answers with. */
  readonly statusCode: number;
  /** Where it applies: the running job of a 409, the field of a 400. */
  readonly runningJobId?: string;
  readonly field?: string;
}

/**
 * Maps an error to its HTTP status and body, in one place, by class: 404 unknown vendor or job, 409 a
 * sync already running or a job already ended, 400 other validation and business errors, 503
 * transient failures. Anything else (a bug, a store outage) is `undefined`: let it throw (500, alarmed).
 */
export function errorBody(error: unknown): ErrorBody | undefined {
  if (!(error instanceof VendorSyncError)) return undefined;
  const base = { name: error.name, message: error.message };
  if (error instanceof UnknownVendorError || error instanceof JobNotFoundError) return { ...base, statusCode: 404 };
  if (error instanceof SyncAlreadyRunningError) return { ...base, statusCode: 409, runningJobId: error.runningJobId };
  if (error instanceof JobNotCancellableError) return { ...base, statusCode: 409 };
  if (error instanceof VendorNotSyncableError) return { ...base, statusCode: 400 };
  if (error.kind === "validation" || error.kind === "business") {
    const field = (error as { field?: unknown }).field;
    return { ...base, statusCode: 400, ...(typeof field === "string" ? { field } : {}) };
  }
  if (error.kind === "transient") return { ...base, statusCode: 503 };
  return undefined;
}
