import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ConcurrentUpdateError, UnknownVendorError, VendorSyncError } from "../core/errors.ts";
import {
  JobNotCancellableError,
  JobNotFoundError,
  SyncAlreadyRunningError,
  VendorNotSyncableError,
} from "../core/jobs/errors.ts";
import { ConflictNotFoundError } from "../core/operations/resolve-conflict.ts";

/** An error as the admin API and the on-demand and admin functions report it. */
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
 * Maps an error to its HTTP status and body, in one place, by class: 404 unknown vendor, job or
 * conflict; 409 a sync already running, a job already ended, a conflict resolved by someone else or a
 * record that moved; 400 other validation and business errors; 503 transient failures. Anything else
 * (a bug, a store outage) is `undefined`: let it throw (500, alarmed).
 */
export function errorBody(error: unknown): ErrorBody | undefined {
  if (error instanceof ConcurrentUpdateError) return { name: error.name, message: error.message, statusCode: 409 };
  if (!(error instanceof VendorSyncError)) return undefined;
  const base = { name: error.name, message: error.message };
  if (
    error instanceof UnknownVendorError ||
    error instanceof JobNotFoundError ||
    error instanceof ConflictNotFoundError
  ) {
    return { ...base, statusCode: 404 };
  }
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

/** A JSON response. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/** The HTTP answer for an error (see {@link errorBody}); unknown errors answer 500 with no internals. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const body = errorBody(error);
  if (!body) return json(500, { error: "internal error" });
  return json(body.statusCode, {
    error: body.message,
    name: body.name,
    ...(body.field ? { field: body.field } : {}),
    ...(body.runningJobId ? { runningJobId: body.runningJobId } : {}),
  });
}
