import { createHmac } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** Signs a body the way Shopify does: base64 HMAC-SHA256 of the raw bytes. */
export function shopifySignature(secret: string, body: Buffer): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

/** A Stripe-style `t=…,v1=…` header: hex HMAC-SHA256 of `t.body`. */
export function stripeSignature(secret: string, body: Buffer, timestampSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${timestampSeconds}.`).update(body).digest("hex");
  return `t=${timestampSeconds},v1=${mac}`;
}

/** An API Gateway HTTP API (2.0) event for `POST /webhooks/{vendorId}`. */
export function webhookEvent(
  vendorId: string,
  body: Buffer,
  headers: Record<string, string>,
  options: { base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "POST /webhooks/{vendorId}",
    rawPath: `/webhooks/${vendorId}`,
    rawQueryString: "",
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
    pathParameters: { vendorId },
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: "example.com",
      domainPrefix: "api",
      http: {
        method: "POST",
        path: `/webhooks/${vendorId}`,
        protocol: "HTTP/1.1",
        sourceIp: "203.0.113.1",
        userAgent: "test",
      },
      requestId: "req",
      routeKey: "POST /webhooks/{vendorId}",
      stage: "$default",
      time: "",
      timeEpoch: Date.now(),
    },
    body: options.base64 ? body.toString("base64") : body.toString("utf8"),
    isBase64Encoded: options.base64 ?? false,
  };
}
