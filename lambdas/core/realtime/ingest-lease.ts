/**
 * How long an ingest attempt may hold an event's de-duplication claim. The lease outlasts the ingest
 * function, so a claim is taken over only when the attempt that made it can no longer be running
 * (it timed out, or its process died), never while it may still queue the event.
 */

/**
 * The ingest function's timeout, seconds (the CDK sets it from here). Well under API Gateway's
 * 30 s integration timeout, so the vendor always gets the function's own answer.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 */
export const INGEST_TIMEOUT_SECONDS = 10;

/** Margin past the timeout for clock differences between invocations (Lambda hosts' clocks are NTP-synced). */
export const CLAIM_LEASE_MARGIN_SECONDS = 5;

/** An in-progress claim's lease, ms: the ingest timeout plus the margin. */
export const CLAIM_LEASE_MS = (INGEST_TIMEOUT_SECONDS + CLAIM_LEASE_MARGIN_SECONDS) * 1000;
