import { randomBytes } from "node:crypto";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { toItem } from "../../../lambdas/adapters/dynamodb/record-item.ts";
import type { SyncRecord } from "../../../lambdas/core/record.ts";
import { recordContentHash } from "../../../lambdas/core/record.ts";

const sns = mockClient(SNSClient);
let handler: (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

beforeAll(async () => {
  process.env.CHANGES_TOPIC_ARN = "arn:aws:sns:eu-central-1:123456789012:changes";
  ({ handler } = await import("../../../lambdas/publish-changes/handler.ts"));
});
afterEach(() => sns.reset());

function record(attributes: Record<string, unknown>, overrides: Partial<SyncRecord> = {}): SyncRecord {
  return {
    vendorId: "shopify-demo",
    entityType: "price",
    entityKey: "CVT-SM-GRY",
    version: 1,
    sourceTs: 1_800_000_000_000,
    source: "vendor:webhook",
    lastEventId: "evt-1",
    lastJobId: "real-time",
    contentHash: recordContentHash(attributes as never, false),
    attributes: attributes as never,
    deleted: false,
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

function streamEvent(...changes: [SyncRecord | undefined, SyncRecord][]): DynamoDBStreamEvent {
  return {
    Records: changes.map(([before, after], i) => ({
      eventName: before ? "MODIFY" : "INSERT",
      dynamodb: {
        SequenceNumber: String(100 + i),
        NewImage: toItem(after) as never,
        ...(before ? { OldImage: toItem(before) as never } : {}),
      },
    })),
  };
}

describe("publish-changes", () => {
  it("publishes one message per accepted change with filterable attributes", async () => {
    // Prepare
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const before = record({ amount: 6000, currency: "USD" });
    const after = record({ amount: 5400, currency: "USD" }, { version: 2, lastEventId: "evt-2" });
    // Act
    const response = await handler(streamEvent([undefined, before], [before, after]));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const entries = sns.commandCalls(PublishBatchCommand)[0]?.args[0].input.PublishBatchRequestEntries ?? [];
    expect(entries.map((e) => e.MessageAttributes?.changeKind?.StringValue)).toEqual(["created", "updated"]);
    expect(entries[1]?.MessageAttributes).toMatchObject({
      vendorId: { DataType: "String", StringValue: "shopify-demo" },
      entityType: { DataType: "String", StringValue: "price" },
    });
    expect(JSON.parse(entries[1]?.Message ?? "{}")).toMatchObject({
      entityKey: "CVT-SM-GRY",
      version: 2,
      attributes: { amount: 5400 },
    });
  });

  it("announces nothing for a write that changed no content (a tombstone restamp)", async () => {
    const deleted = record({}, { deleted: true, contentHash: recordContentHash({}, true) });
    const restamped = { ...deleted, version: 2, lastEventId: "evt-newer-delete" };
    const response = await handler(streamEvent([deleted, restamped]));
    expect(response.batchItemFailures).toEqual([]);
    expect(sns.commandCalls(PublishBatchCommand)).toHaveLength(0);
  });

  it("sends at most 10 entries per PublishBatch call", async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const changes = Array.from({ length: 23 }, (_, i): [undefined, SyncRecord] => [
      undefined,
      record({ amount: i }, { entityKey: `K-${i}` }),
    ]);
    await handler(streamEvent(...changes));
    expect(
      sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input.PublishBatchRequestEntries?.length),
    ).toEqual([10, 10, 3]);
  });

  it("keeps each PublishBatch call within SNS's 256 KB aggregate payload", async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    // Ten products of about 60 KB each: ten in one call would be about 600 KB, which SNS refuses.
    const description = "x".repeat(60_000);
    const changes = Array.from({ length: 10 }, (_, i): [undefined, SyncRecord] => [
      undefined,
      record({ title: `P${i}`, description }, { entityType: "product", entityKey: `P-${i}` }),
    ]);
    await handler(streamEvent(...changes));
    const calls = sns.commandCalls(PublishBatchCommand).map((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(calls.map((entries) => entries.length)).toEqual([4, 4, 2]);
    for (const entries of calls) {
      const bytes = entries.reduce((sum, e) => sum + Buffer.byteLength(e.Message ?? "", "utf8"), 0);
      expect(bytes).toBeLessThanOrEqual(262_144);
    }
  });

  it("announces a change too large for one SNS message without its attributes, flagged, under schema version 2", async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    // A product with a 360 KB description: a legal item (about 270 KB stored, Brotli-compressed; DynamoDB allows 400 KB), too large for SNS (256 KB).
    const description = randomBytes(270_000).toString("base64");
    const big = record({ title: "Big", description }, { entityType: "product", entityKey: "BIG" });
    // DynamoDB's item size: attribute names plus values (binary by length; the rest by their text).
    const itemBytes = Object.entries(toItem(big)).reduce((sum, [name, value]) => {
      const v = value as { B?: Uint8Array; S?: string; N?: string };
      return sum + name.length + (v.B?.byteLength ?? (v.S ?? v.N ?? JSON.stringify(value)).length);
    }, 0);
    expect(itemBytes).toBeGreaterThan(262_144);
    expect(itemBytes).toBeLessThan(400 * 1024);
    const small = record({ amount: 1 }, { entityKey: "SMALL" });
    const response = await handler(streamEvent([undefined, big], [undefined, small]));
    expect(response.batchItemFailures).toEqual([]);
    const entries = sns
      .commandCalls(PublishBatchCommand)
      .flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      const attributeBytes = Object.entries(entry.MessageAttributes ?? {}).reduce(
        (sum, [name, value]) => sum + name.length + (value.DataType?.length ?? 0) + (value.StringValue?.length ?? 0),
        0,
      );
      expect(Buffer.byteLength(entry.Message ?? "", "utf8") + attributeBytes).toBeLessThanOrEqual(262_144);
      expect(entry.MessageAttributes?.schemaVersion).toEqual({ DataType: "String", StringValue: "2" });
    }
    const [bigMessage, smallMessage] = entries.map((e) => JSON.parse(e.Message ?? "{}"));
    expect(bigMessage).toMatchObject({
      entityType: "product",
      entityKey: "BIG",
      changeKind: "created",
      version: 1,
      attributes: {},
      attributesOmitted: true,
    });
    // A change that fits keeps its attributes and has no flag.
    expect(smallMessage).toMatchObject({ entityKey: "SMALL", attributes: { amount: 1 } });
    expect(smallMessage).not.toHaveProperty("attributesOmitted");
  });

  it("reports the first failed entry so Lambda retries from there", async () => {
    sns.on(PublishBatchCommand).resolves({ Failed: [{ Id: "1", Code: "InternalError", SenderFault: false }] });
    const response = await handler(
      streamEvent(
        [undefined, record({ amount: 1 }, { entityKey: "A" })],
        [undefined, record({ amount: 2 }, { entityKey: "B" })],
      ),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "101" }]);
  });
});
