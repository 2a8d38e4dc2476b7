/**
 * The ingest function's real module (`lambdas/ingest-webhook/handler.ts`) with its AWS clients mocked
 * (aws-sdk-client-mock): a rotation stored in Secrets Manager as `{"current", "previous"}` JSON is
 * honoured, and a faulty secret is a configuration fault — 503 with Retry-After, logged naming the
 * vendor, counted in `ConfigurationFaults` — never a 401 blaming the vendor.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { parseVendorConfig } from "../../../lambdas/core/vendor-config.ts";
import { webhookEvent } from "../../support/webhooks.ts";

const OLD = `whsec_${Buffer.from("old signing key, test only!!!!!!").toString("base64")}`;
const NEW = `whsec_${Buffer.from("new signing key, test only!!!!!!").toString("base64")}`;
const vendor = (id: string) =>
  parseVendorConfig(
    {
      id,
      name: id,
      entityTypes: ["product", "price", "inventory"],
      defaultCurrency: "EUR",
      channels: { webhook: { scheme: "standard-webhooks", secretName: `test/${id}` } },
    },
    `${id}.json`,
  );
const STORED: Record<string, string> = {
  "test/rotating": JSON.stringify({ current: NEW, previous: OLD }),
  "test/broken": JSON.stringify({ previous: OLD }),
  "test/wrongformat": "not base64 at all!",
};

let handler: (event: unknown) => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>;

beforeAll(async () => {
  Object.assign(process.env, {
    SYNC_TABLE_NAME: "sync-table",
    ARCHIVE_BUCKET_NAME: "archive-bucket",
    REALTIME_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/realtime",
    POWERTOOLS_LOG_LEVEL: "INFO",
    AWS_REGION: "eu-west-1",
  });
  (globalThis as { __VENDOR_CONFIGS__?: string }).__VENDOR_CONFIGS__ = JSON.stringify(
    ["rotating", "broken", "wrongformat"].map(vendor),
  );
  mockClient(DynamoDBClient).onAnyCommand().resolves({});
  mockClient(S3Client).onAnyCommand().resolves({});
  mockClient(SQSClient).onAnyCommand().resolves({ MessageId: "m-1" });
  const secrets = mockClient(SecretsManagerClient);
  for (const [name, value] of Object.entries(STORED)) {
    secrets.on(GetSecretValueCommand, { SecretId: name }).resolves({ Name: name, SecretString: value });
  }
  ({ handler } = (await import("../../../lambdas/ingest-webhook/handler.ts")) as never);
});

/** Runs one delivery and returns the answer and what the function wrote (logs and EMF). */
async function deliver(vendorId: string, id: string, secret: string) {
  const body = Buffer.from(
    JSON.stringify({ type: "product.updated", timestamp: new Date().toISOString(), data: { sku: id, name: "Bag" } }),
  );
  const now = new Date();
  const headers = {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, now, body),
  };
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split("\n")) if (line.startsWith("{")) lines.push(JSON.parse(line));
    return true;
  };
  // Powertools writes INFO and EMF to stdout, errors to stderr.
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    const response = await handler(webhookEvent(vendorId, body, headers, { base64: true }));
    return { response, lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe("ingest-webhook on AWS: signing secrets from Secrets Manager", () => {
  it("accepts deliveries under both secrets of a rotation and logs previousSecretUsed for the old one", async () => {
    const fresh = await deliver("rotating", "msg_new", NEW);
    const old = await deliver("rotating", "msg_old", OLD);
    expect([fresh.response.statusCode, old.response.statusCode]).toEqual([202, 202]);
    expect(old.lines).toContainEqual(
      expect.objectContaining({
        message: "webhook delivery",
        vendorId: "rotating",
        status: 202,
        eventId: "msg_old",
        previousSecretUsed: true,
      }),
    );
    expect(fresh.lines.find((l) => l.message === "webhook delivery")).not.toHaveProperty("previousSecretUsed");
  });

  it.each([
    ["broken", /signing secret test\/broken: "current" must be the new secret/],
    ["wrongformat", /signing secret test\/wrongformat: the current secret is not whsec_ followed by base64/],
  ])(
    "answers a faulty secret (%s) with 503 and Retry-After, logs a configuration fault and counts it",
    async (vendorId, fault) => {
      const { response, lines } = await deliver(vendorId, "msg_1", OLD);
      expect(response.statusCode).toBe(503);
      expect(response.headers?.["retry-after"]).toBe("60");
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: "ERROR",
          message: "configuration fault",
          vendorId,
          fault: expect.stringMatching(fault),
        }),
      );
      const emf = lines.find((line) => line._aws !== undefined && "ConfigurationFaults" in line);
      expect(emf).toMatchObject({ ConfigurationFaults: 1, VendorId: vendorId });
    },
  );
});
