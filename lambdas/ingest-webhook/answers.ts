import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** How one delivery ended, for the one log line per delivery (no body, no secret). */
export interface DeliveryOutcome {
  readonly vendorId: string;
  /** The HTTP status answered. */
  readonly status: number;
  /** The stable event id, once the payload was mapped. */
  readonly eventId?: string;
  /** Why it was not accepted (a signature failure reason, `configuration-fault`, …). */
  readonly reason?: string;
  /** Accepted under the previous secret of a rotation: the vendor has not switched yet. */
  readonly previousSecretUsed?: boolean;
  /** Already accepted before (de-duplicated). */
  readonly duplicate?: boolean;
  /** Time from receipt to answer, ms. */
  readonly durationMs: number;
}

/** One answer to a delivery, with what the per-delivery log line says about it. */
export interface Answer {
  readonly response: APIGatewayProxyStructuredResultV2;
  readonly outcome?: Omit<DeliveryOutcome, "vendorId" | "status" | "durationMs">;
}

/** A JSON answer. */
export function respond(
  statusCode: number,
  body: Record<string, unknown>,
  outcome?: Answer["outcome"],
  headers: Record<string, string> = {},
): Answer {
  return {
    response: { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) },
    ...(outcome ? { outcome } : {}),
  };
}

/**
 * 503 with Retry-After: the vendor's retry will be accepted once the cause (an outage, a faulty
 * configuration) is gone.
 *
 * @param retryAfterSeconds - the Retry-After header, seconds.
 */
export function unavailable(
  retryAfterSeconds: number,
  error: string,
  outcome: Answer["outcome"],
  extra: Record<string, unknown> = {},
): Answer {
  return respond(503, { error, ...extra }, outcome, { "retry-after": String(retryAfterSeconds) });
}
