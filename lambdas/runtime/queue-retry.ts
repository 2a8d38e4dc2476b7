/**
 * How a queue consumer's failed message ends: retried with exponential backoff and full jitter
 * (ChangeMessageVisibility), or moved to the dead-letter queue with its reason once the vendor's
 * `maxRetries` receives are spent (`core/realtime/retry-policy.ts`). Shared by the real-time processor
 * and the pull worker.
 */
import type { SQSRecord } from "aws-lambda";
import type { Log, MessageControl } from "../core/ports.ts";
import { decideRetry, type RetryPolicy } from "../core/realtime/retry-policy.ts";

/** What retrying needs. */
export interface QueueRetryDeps {
  readonly control: MessageControl;
  readonly log: Log;
  readonly retry?: RetryPolicy;
  /** Uniform [0, 1), for jitter. */
  readonly random: () => number;
}

/** A message that failed, and how to tell about it. */
export interface QueueFailure {
  /** What the message is, for the log lines ("message", "sync message"). */
  readonly what: string;
  /** The vendor's `maxRetries` (or a default when the vendor is unknown). */
  readonly maxRetries: number;
  readonly error: unknown;
  /** Message attributes kept with the dead letter. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Fields of the log lines (ids, never the body). */
  readonly logFields: Readonly<Record<string, unknown>>;
}

/**
 * Retries or dead-letters a failed message.
 * @returns when the message was moved to the dead-letter queue: the error (`reason`) and the reason
 *   kept with the dead letter (the retry policy's, then the error).
 * @throws the failure's error when the message is retried (after its visibility was changed), so the
 *   batch reports it as failed.
 */
export async function retryOrDeadLetter(
  deps: QueueRetryDeps,
  record: SQSRecord,
  failure: QueueFailure,
): Promise<{ readonly reason: string; readonly deadLetterReason: string }> {
  const { error } = failure;
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? "1");
  const decision = decideRetry(receiveCount, failure.maxRetries, deps.random, deps.retry);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (decision.action === "dead-letter") {
    deps.log.error(`giving up on ${failure.what}`, { ...failure.logFields, receiveCount, reason });
    const deadLetterReason = `${decision.reason}: ${reason}`;
    await deps.control.deadLetter(
      { receiptHandle: record.receiptHandle, body: record.body, attributes: failure.attributes },
      deadLetterReason,
    );
    return { reason, deadLetterReason };
  }
  deps.log.warn(`${failure.what} will be retried`, {
    ...failure.logFields,
    receiveCount,
    delaySeconds: decision.delaySeconds,
    reason,
  });
  await deps.control.changeVisibility(record.receiptHandle, decision.delaySeconds).catch(() => {});
  throw error;
}
