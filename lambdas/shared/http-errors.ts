import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ConcurrentUpdateError, ConfigError, ValidationError, VendorSyncError } from "../core/errors.ts";
import { ConflictNotFoundError } from "../core/operations/resolve-conflict.ts";

/** A JSON response. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
}

/**
 * Maps an error to its HTTP answer, in one place, by class: not found 404, bad input 400, a lost race
 * 409, a transient or system error 503/500 (with no internals in the body).
 */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof ConflictNotFoundError) return json(404, { error: error.message });
  if (error instanceof ValidationError)
    return json(400, { error: error.message, ...(error.field ? { field: error.field } : {}) });
  if (error instanceof ConcurrentUpdateError) return json(409, { error: error.message });
  if (error instanceof ConfigError) return json(500, { error: "configuration error" });
  if (error instanceof VendorSyncError && error.retryable && error.kind === "transient") {
    return json(503, { error: "temporarily unavailable, retry later" });
  }
  return json(500, { error: "internal error" });
}
