/**
 * The ingest function's real module (`lambdas/ingest-webhook/handler.ts`, clients built at module
 * scope) with every AWS client mocked by aws-sdk-client-mock, fed signed 10 KB Shopify deliveries.
 * Prints one JSON line: CPU per request (handler, Powertools logging, mocked SDK calls), and the
 * SDK calls per request. Usage: `node --import tsx ingest-cpu.ts <requests>`
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { shopifyHeaders, shopifyProductBody } from "../lib/webhooks.ts";
import { benchEnvironment } from "../sections/bundles.ts";

const requests = Number(process.argv[2] ?? 1000);
const SECRET = "bench-shopify-secret";
Object.assign(process.env, benchEnvironment());
(globalThis as { __VENDOR_CONFIGS__?: string }).__VENDOR_CONFIGS__ = JSON.stringify([...loadVendorConfigs().values()]);
const calls: Record<string, number> = {};
let changesPerDelivery = 0;
let productsPerDelivery = 0;
let messageBytes = 0;
const count = (name: string) => (input: { MessageBody?: string }) => {
  calls[name] = (calls[name] ?? 0) + 1;
  if (name !== "SendMessage") return {};
  const message = JSON.parse(input.MessageBody ?? "{}") as { mapping?: { changes?: { entityType?: string }[] } };
  changesPerDelivery = message.mapping?.changes?.length ?? 0;
  productsPerDelivery = message.mapping?.changes?.filter((c) => c.entityType === "product").length ?? 0;
  messageBytes = Buffer.byteLength(input.MessageBody ?? "");
  return { MessageId: "m-1" };
};
const dynamo = mockClient(DynamoDBClient);
dynamo.onAnyCommand().callsFake(count("DynamoDB"));
mockClient(S3Client).onAnyCommand().callsFake(count("S3"));
mockClient(SQSClient).onAnyCommand().callsFake(count("SendMessage"));
mockClient(SecretsManagerClient)
  .onAnyCommand()
  .callsFake(() => {
    calls.SecretsManager = (calls.SecretsManager ?? 0) + 1;
    return { SecretString: SECRET, Name: "vendor-sync/shopify-demo/webhook" };
  });

const { handler } = await import("../../lambdas/ingest-webhook/handler.ts");
const body = shopifyProductBody();
const event = (i: number) => ({
  version: "2.0",
  routeKey: "POST /webhooks/{vendorId}",
  rawPath: "/webhooks/shopify-demo",
  rawQueryString: "",
  headers: shopifyHeaders(SECRET, body, `bench-${i}`),
  pathParameters: { vendorId: "shopify-demo" },
  requestContext: { requestId: `r-${i}`, http: { method: "POST", path: "/webhooks/shopify-demo" } },
  body: body.toString("base64"),
  isBase64Encoded: true,
});
// Warm up: the first request reads the secret (cached afterwards) and JIT-compiles the path.
for (let i = 0; i < 200; i++) await handler(event(-i - 1) as never);
for (const key of Object.keys(calls)) delete calls[key];
// Count what the function logs (Powertools INFO lines and EMF metrics), as CloudWatch Logs would ingest it.
let logBytes = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  logBytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
  return write(chunk, ...rest);
}) as typeof process.stdout.write;
const before = process.cpuUsage();
const started = performance.now();
let accepted = 0;
for (let i = 0; i < requests; i++) {
  const response = await handler(event(i) as never);
  if (response.statusCode === 202) accepted++;
}
const cpu = process.cpuUsage(before);
process.stdout.write = write;
process.stdout.write(
  `${JSON.stringify({
    requests,
    accepted,
    bodyBytes: body.length,
    changesPerDelivery,
    productsPerDelivery,
    logBytesPerRequest: logBytes / requests,
    messageBytes,
    cpuUsPerRequest: (cpu.user + cpu.system) / requests,
    wallUsPerRequest: ((performance.now() - started) * 1000) / requests,
    callsPerRequest: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v / requests])),
  })}\n`,
);
