import { readFileSync } from "node:fs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDedupStore } from "../../lambdas/adapters/dynamodb/dedup-store.ts";
import { DynamoPlatformKeyIndex } from "../../lambdas/adapters/dynamodb/platform-key-index.ts";
import { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import { TransientError } from "../../lambdas/core/errors.ts";
import type { QueueSender } from "../../lambdas/core/ports.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import type { ProcessedMessage } from "../../lambdas/core/realtime/webhook-processor.ts";
import { writePolicyFor } from "../../lambdas/core/vendor-policy.ts";
import { makeHandler as makeIngest } from "../../lambdas/ingest-webhook/ingest-webhook.ts";
import { makeHandler as makeProcessor } from "../../lambdas/process-changes/process-changes.ts";
import { LocalQueue, toSqsEvent } from "../../local/local-queue.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { repoPath } from "../support/files.ts";
import { shopifySignature, stripeSignature, webhookEvent } from "../support/webhooks.ts";

const fixture = (path: string) => readFileSync(repoPath(`test/fixtures/webhooks/${path}`));
const SHOPIFY_SECRET = "vendor-sync/shopify-demo/webhook";
const CANONICAL_SECRET = "vendor-sync/canonical/webhook";

let sandbox: Sandbox;
const processed: ProcessedMessage[] = [];

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  sandbox.events.on("processed", (p: ProcessedMessage) => processed.push(p));
});
afterAll(async () => {
  await sandbox.close();
});

function shopifyHeaders(body: Buffer, eventId: string, topic = "products/update") {
  return {
    "content-type": "application/json",
    "x-shopify-topic": topic,
    "x-shopify-hmac-sha256": shopifySignature(sandbox.secrets.current(SHOPIFY_SECRET), body),
    "x-shopify-event-id": eventId,
    "x-shopify-webhook-id": `wh-${eventId}`,
    "x-shopify-triggered-at": "2025-03-14T09:26:53Z",
  };
}

function canonicalHeaders(body: Buffer, at = Math.floor(Date.now() / 1000)) {
  return {
    "content-type": "application/json",
    "stripe-signature": stripeSignature(sandbox.secrets.current(CANONICAL_SECRET), body, at),
  };
}

const canonicalBody = (id: string, changes: unknown[], extra = "") =>
  Buffer.from(
    `{"id":"${id}","type":"price.updated","created":${Math.floor(Date.now() / 1000)},"data":${JSON.stringify(changes)}${extra}}`,
  );

async function queued() {
  return sandbox.realtimeQueue.peek();
}

describe("ingest — signature verification on the exact raw bytes", () => {
  it("accepts a body whose bytes differ from its re-serialisation, and refuses it with one byte flipped", async () => {
    // Escaped slash, escaped é, an escaped U+2028 and trailing spaces: JSON.stringify(JSON.parse(body)) differs.
    const body = Buffer.from(
      '{"id":"evt_bytes","type":"product.updated","created":1800000000,"data":[{"entityType":"product","entityKey":"A\\/1","sourceTs":"2026-11-01T00:00:00Z","attributes":{"title":"Caf\\u00e9\\u2028Bag"}}]}   ',
    );
    expect(JSON.stringify(JSON.parse(body.toString()))).not.toBe(body.toString());
    const ok = await sandbox.ingest(webhookEvent("canonical", body, canonicalHeaders(body)));
    expect(ok.statusCode).toBe(202);
    const flipped = Buffer.from(body);
    flipped[20] = (flipped[20] as number) ^ 0x01;
    const bad = await sandbox.ingest(webhookEvent("canonical", flipped, canonicalHeaders(body)));
    expect(bad.statusCode).toBe(401);
  });

  it("queues the identical message for the same body sent base64-encoded (isBase64Encoded: true)", async () => {
    const other = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
    try {
      const body = fixture("shopify/products-update.body.json");
      const sign = (s: Sandbox) => ({
        ...shopifyHeaders(body, "evt-b64"),
        "x-shopify-hmac-sha256": shopifySignature(s.secrets.current(SHOPIFY_SECRET), body),
      });
      const plain = await sandbox.ingest(webhookEvent("shopify-demo", body, sign(sandbox)));
      const encoded = await other.ingest(webhookEvent("shopify-demo", body, sign(other), { base64: true }));
      expect([plain.statusCode, encoded.statusCode]).toEqual([202, 202]);
      const pick = (messages: { body: string }[]) => {
        const message = JSON.parse(messages.find((m) => m.body.includes("evt-b64"))?.body ?? "{}");
        return { ...message, receivedAt: 0, archiveKey: "" };
      };
      expect(pick(await other.realtimeQueue.peek())).toEqual(pick(await queued()));
    } finally {
      await other.close();
    }
  });

  it.each([
    ["t=1800000000,v1=abc", "short hex"],
    ["t=1800000000,v1=", "empty v1"],
    [`t=1800000000,v1=${"z".repeat(64)}`, "64 non-hex characters"],
    ["t=1800000000,v1=é", "a multibyte character"],
    ["t=1800000000,v9=deadbeef", "an unknown version prefix"],
  ])("answers 401 without an exception for a malformed signature header (%s: %s)", async (header) => {
    const body = canonicalBody("evt_malformed", [{ entityType: "price", entityKey: "M", attributes: { amount: "1" } }]);
    const response = await sandbox.ingest(
      webhookEvent("canonical", body, { "content-type": "application/json", "stripe-signature": header }),
    );
    expect(response.statusCode).toBe(401);
  });

  it("answers 401 for a missing signature header and for a timestamp an hour old", async () => {
    const body = canonicalBody("evt_old", [{ entityType: "price", entityKey: "M", attributes: { amount: "1" } }]);
    expect(
      (await sandbox.ingest(webhookEvent("canonical", body, { "content-type": "application/json" }))).statusCode,
    ).toBe(401);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const stale = await sandbox.ingest(webhookEvent("canonical", body, canonicalHeaders(body, hourAgo)));
    expect(stale.statusCode).toBe(401);
    expect(JSON.parse(stale.body ?? "{}")).toMatchObject({ reason: "stale-timestamp" });
  });
});

describe("ingest — bad input never gets a 500", () => {
  it("answers 404 for an unknown vendor, 415 for another content type, 413 above the limit, 400 for a bad envelope", async () => {
    const body = canonicalBody("evt_x", []);
    expect((await sandbox.ingest(webhookEvent("acme", body, canonicalHeaders(body)))).statusCode).toBe(404);
    expect(
      (
        await sandbox.ingest(
          webhookEvent("canonical", body, { ...canonicalHeaders(body), "content-type": "text/plain" }),
        )
      ).statusCode,
    ).toBe(415);
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    expect((await sandbox.ingest(webhookEvent("canonical", big, canonicalHeaders(big)))).statusCode).toBe(413);
    const notJson = Buffer.from("{oops");
    const invalid = await sandbox.ingest(webhookEvent("canonical", notJson, canonicalHeaders(notJson)));
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body ?? "{}").error).toBeTruthy();
  });

  it("answers a WooCommerce creation ping with 200 and queues nothing", async () => {
    const before = (await queued()).length;
    const vendors = new Map([...sandbox.vendors].map(([id, v]) => [id, v]));
    const woo = {
      ...sandbox.vendor("shopify-demo"),
      id: "woo",
      channels: {
        webhook: {
          scheme: "woocommerce" as const,
          secretName: "woo",
          timestampToleranceSeconds: 300,
          timestampUnit: "s" as const,
          payloadFormat: "woocommerce" as const,
        },
      },
    };
    vendors.set("woo", woo);
    const ingest = makeIngest({
      vendors: new (
        sandbox.registry.constructor as typeof import("../../lambdas/runtime/vendor-registry.ts").VendorRegistry
      )(vendors.values()),
      secrets: { secrets: async () => ["s3cret"] },
      dedup: new DynamoDedupStore({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync }),
      archive: sandbox.archive,
      queue: sandbox.realtimeQueue,
      keyIndexFor: () => ({ find: async () => undefined }),
    });
    const ping = await ingest(
      webhookEvent("woo", fixture("woocommerce/ping.body.txt"), {
        "content-type": "application/x-www-form-urlencoded",
      }),
    );
    expect(ping.statusCode).toBe(200);
    expect(JSON.parse(ping.body ?? "{}")).toEqual({ ping: true });
    expect((await queued()).length).toBe(before);
  });
});

describe("ingest — de-duplication", () => {
  it("queues one message for the same event posted twice concurrently, answering both with 2xx", async () => {
    const body = canonicalBody("evt_concurrent", [
      { entityType: "price", entityKey: "C-1", attributes: { amount: "5" } },
    ]);
    const [a, b] = await Promise.all([
      sandbox.ingest(webhookEvent("canonical", body, canonicalHeaders(body))),
      sandbox.ingest(webhookEvent("canonical", body, canonicalHeaders(body))),
    ]);
    expect([a?.statusCode, b?.statusCode].sort()).toEqual([202, 202]);
    expect((await queued()).filter((m) => m.body.includes("evt_concurrent"))).toHaveLength(1);
  });

  it("accepts and processes the vendor's retry after the enqueue failed once", async () => {
    let failures = 1;
    const flaky: QueueSender = {
      send: async (message) => {
        if (failures-- > 0) throw new Error("SQS unavailable");
        return sandbox.realtimeQueue.send(message);
      },
    };
    const ingest = makeIngest({
      vendors: sandbox.registry,
      secrets: sandbox.secrets,
      dedup: new DynamoDedupStore({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync }),
      archive: sandbox.archive,
      queue: flaky,
      keyIndexFor: (vendorId) =>
        new DynamoPlatformKeyIndex({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync }).forVendor(
          vendorId,
        ),
    });
    const body = canonicalBody("evt_flaky", [
      { entityType: "price", entityKey: "FLAKY", sourceTs: "2026-11-01T00:00:00Z", attributes: { amount: "7.50" } },
    ]);
    expect((await ingest(webhookEvent("canonical", body, canonicalHeaders(body)))).statusCode).toBe(503);
    expect((await ingest(webhookEvent("canonical", body, canonicalHeaders(body)))).statusCode).toBe(202);
    await sandbox.realtimeDriver.drain();
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "FLAKY" });
    expect(record?.attributes).toEqual({ amount: 750, currency: "USD" });
  });
});

describe("processor — conflict rules on real-time events", () => {
  const post = async (id: string, changes: unknown[]) => {
    const body = canonicalBody(id, changes);
    const response = await sandbox.ingest(webhookEvent("canonical", body, canonicalHeaders(body)));
    expect(response.statusCode).toBe(202);
    // Delivered and processed in this order (one batch would be processed in parallel).
    await sandbox.realtimeDriver.drain();
  };

  it("keeps the newer values when an older update arrives later; the older is counted stale and not retried", async () => {
    await post("evt_new", [
      {
        entityType: "inventory",
        entityKey: "ORD-1",
        sourceTs: "2026-11-01T10:00:00Z",
        sourceVersion: 5,
        attributes: { available: 9 },
      },
    ]);
    await post("evt_old", [
      {
        entityType: "inventory",
        entityKey: "ORD-1",
        sourceTs: "2026-11-01T09:00:00Z",
        sourceVersion: 4,
        attributes: { available: 3 },
      },
    ]);
    await sandbox.realtimeDriver.drain();
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "inventory", entityKey: "ORD-1" });
    expect(record?.attributes.available).toBe(9);
    expect(processed.find((p) => p.eventId === "evt_old")?.results[0]?.outcome).toBe("stale");
    expect((await queued()).filter((m) => m.body.includes("evt_old"))).toHaveLength(0);
  });

  it("leaves a record deleted when an update older than the delete arrives", async () => {
    await post("evt_up1", [
      { entityType: "price", entityKey: "DEL-1", sourceTs: "2026-11-01T08:00:00Z", attributes: { amount: "4" } },
    ]);
    await post("evt_del", [
      { entityType: "price", entityKey: "DEL-1", op: "delete", sourceTs: "2026-11-01T10:00:00Z" },
    ]);
    await post("evt_up0", [
      { entityType: "price", entityKey: "DEL-1", sourceTs: "2026-11-01T09:00:00Z", attributes: { amount: "5" } },
    ]);
    await sandbox.realtimeDriver.drain();
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "DEL-1" });
    expect(record?.deleted).toBe(true);
    expect(processed.find((p) => p.eventId === "evt_up0")?.results[0]?.outcome).toBe("stale");
  });
});

describe("processor — partial batch failures", () => {
  function message(id: string, key: string) {
    return JSON.stringify({
      kind: "webhook",
      version: 1,
      vendorId: "canonical",
      eventId: id,
      receivedAt: Date.parse("2026-11-01T00:00:00Z"),
      archiveKey: `x/${id}`,
      mapping: {
        kind: "changes",
        eventId: id,
        changes: [
          {
            entityType: "price",
            entityKey: key,
            eventId: id,
            sourceTs: "2026-11-01T00:00:00Z",
            attributes: { amount: "1" },
          },
        ],
      },
    });
  }

  async function batchOf(queue: LocalQueue, bodies: string[]): Promise<SQSEvent> {
    for (const body of bodies) await queue.send({ body });
    return toSqsEvent(queue, await queue.receive(10));
  }

  it("reports only the invalid message of a batch of three", async () => {
    const queue = new LocalQueue({
      client: sandbox.dynamo.client,
      name: "t-partial",
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 8,
    });
    const processor = makeProcessor({
      vendors: sandbox.registry,
      writer: sandbox.interpreter,
      archive: sandbox.archive,
      rejects: sandbox.archive,
      control: queue,
      log: silentLog,
    });
    const event = await batchOf(queue, [
      message("p1", "P-1"),
      '{"kind":"webhook","vendorId":42}',
      message("p3", "P-3"),
    ]);
    const response = await processor(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
  });

  it("reports every message when all three fail on throttling, and backs each off", async () => {
    const queue = new LocalQueue({
      client: sandbox.dynamo.client,
      name: "t-throttle",
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 8,
    });
    const throttled = new ChangeInterpreter({
      records: {
        getMany: async () => new Map(),
        get: async () => undefined,
        put: async () => {
          throw new TransientError("ProvisionedThroughputExceededException");
        },
      },
      conflicts: sandbox.sync,
      policyFor: (vendorId, type) => writePolicyFor(sandbox.vendor(vendorId), type),
    });
    const processor = makeProcessor({
      vendors: sandbox.registry,
      writer: throttled,
      archive: sandbox.archive,
      rejects: sandbox.archive,
      control: queue,
      log: silentLog,
      random: () => 0.99,
    });
    const event = await batchOf(queue, [message("t1", "T-1"), message("t2", "T-2"), message("t3", "T-3")]);
    const response = await processor(event);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      event.Records.map((r) => r.messageId).sort(),
    );
    // Backoff: each message hidden for a jittered delay before its next attempt.
    for (const m of await queue.peek()) expect(m.visibleAt).toBeGreaterThan(Date.now());
  });

  it("moves a message to the dead-letter queue after the vendor's maxRetries, with the reason", async () => {
    let clock = Date.now();
    const queue = new LocalQueue({
      client: sandbox.dynamo.client,
      name: "t-dlq",
      visibilityTimeoutSeconds: 30,
      maxReceiveCount: 8,
      now: () => clock,
    });
    const throttled = new ChangeInterpreter({
      records: {
        getMany: async () => new Map(),
        get: async () => undefined,
        put: async () => {
          throw new TransientError("ThrottlingException");
        },
      },
      conflicts: sandbox.sync,
      policyFor: (vendorId, type) => writePolicyFor(sandbox.vendor(vendorId), type),
    });
    const processor = makeProcessor({
      vendors: sandbox.registry,
      writer: throttled,
      archive: sandbox.archive,
      rejects: sandbox.archive,
      control: queue,
      log: silentLog,
      retry: { baseSeconds: 0, capSeconds: 0 },
    });
    await queue.send({ body: message("d1", "D-1") });
    const maxRetries = sandbox.vendor("canonical").maxRetries;
    for (let attempt = 1; attempt <= maxRetries + 1; attempt++) {
      const received = await queue.receive(10);
      expect(received, `attempt ${attempt}`).toHaveLength(1);
      await processor(toSqsEvent(queue, received));
      clock += 10 * 60_000; // past the longest backoff
    }
    expect(await queue.peek()).toHaveLength(0);
    const [dead] = await queue.peek(queue.deadLetterName);
    expect(dead).toMatchObject({
      receiveCount: maxRetries + 1,
      deadLetterReason: expect.stringMatching(/gave up after 4 attempts .*ThrottlingException/),
    });
  });
});
