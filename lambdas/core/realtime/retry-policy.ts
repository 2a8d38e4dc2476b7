/**
 * Per-message retry policy of the queue consumers (docs/architecture.md, "Errors and retries"): exponential backoff with full
 * jitter through ChangeMessageVisibility, until the vendor's `maxRetries`; then the consumer moves the
 * message to the dead-letter queue itself. SQS's own redrive (`maxReceiveCount`, above every vendor's
 * `maxRetries`) stays as the backstop for a consumer that crashes.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface RetryPolicy {
  /** Backoff base, seconds. @default 2 */
  readonly baseSeconds?: number;
  /** Backoff cap, seconds. @default 300 */
  readonly capSeconds?: number;
  /** Shortest delay, seconds (SQS visibility is whole seconds). @default 1 */
  readonly minSeconds?: number;
}

/** What to do with a message whose processing failed transiently. */
export type RetryDecision =
  | { readonly action: "retry"; readonly delaySeconds: number }
  | { readonly action: "dead-letter"; readonly reason: string };

/**
 * @param receiveCount - SQS ApproximateReceiveCount of this delivery (1 on the first attempt).
 * @param maxRetries - the vendor's retries after the first attempt.
 * @param random - uniform in [0, 1).
 */
export function decideRetry(
  receiveCount: number,
  maxRetries: number,
  random: () => number,
  policy: RetryPolicy = {},
): RetryDecision {
  if (receiveCount > maxRetries) {
    return { action: "dead-letter", reason: `gave up after ${receiveCount} attempts (maxRetries ${maxRetries})` };
  }
  const ceiling = Math.min(policy.capSeconds ?? 300, (policy.baseSeconds ?? 2) * 2 ** (receiveCount - 1));
  const minimum = policy.minSeconds ?? 1;
  const delay = random() * ceiling;
  return { action: "retry", delaySeconds: Math.max(minimum, minimum >= 1 ? Math.floor(delay) : delay) };
}
