import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from "@aws-sdk/client-dynamodb";
import { TransientError } from "../../core/errors.ts";

/** @returns whether an SDK error is DynamoDB's ConditionalCheckFailedException. */
export function isConditionalCheckFailed(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/**
 * Maps SDK errors left after the SDK's own retries: throttling, 5xx and network timeouts become
 * {@link TransientError} (retried by the queue or job); anything else is returned unchanged.
 */
export function toStoreError(error: unknown, operation: string): unknown {
  if (!(error instanceof Error)) return error;
  const fault = (error as { $fault?: string }).$fault;
  const network = (error as { code?: string }).code;
  if (
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof ThrottlingException ||
    error instanceof RequestLimitExceeded ||
    error instanceof InternalServerError ||
    fault === "server" ||
    network === "ECONNRESET" ||
    network === "ECONNREFUSED" ||
    network === "ETIMEDOUT"
  ) {
    return new TransientError(`DynamoDB ${operation}: ${error.name}: ${error.message}`, { cause: error });
  }
  return error;
}
