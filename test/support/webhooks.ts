import { createHmac } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { httpApiEvent } from "../../local/http-api-events.ts";

/** Signs a body the way Shopify does: base64 HMAC-SHA256 of the raw bytes. */
export function shopifySignature(secret: string, body: Buffer): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** A Stripe-style `t=…,v1=…` header: hex HMAC-SHA256 of `t.body`. */
export function stripeSignature(secret: string, body: Buffer, timestampSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.`).update(body).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * An API Gateway HTTP API (2.0) event for `POST /webhooks/{vendorId}` (the sandbox's builder): the
 * body as text, or base64-encoded as API Gateway sends binary bodies.
 */
export function webhookEvent(
  vendorId: string,
  body: Buffer,
  headers: Record<string, string>,
  options: { base64?: boolean; accountId?: string } = {},
): APIGatewayProxyEventV2 {
  return httpApiEvent({
    routeKey: "POST /webhooks/{vendorId}",
    path: `/webhooks/${vendorId}`,
    pathParameters: { vendorId },
    headers: { "user-agent": "test", ...headers },
    body: options.base64 ? body : body.toString("utf8"),
    sourceIp: "203.0.113.1",
    ...(options.accountId ? { accountId: options.accountId } : {}),
  });
}
