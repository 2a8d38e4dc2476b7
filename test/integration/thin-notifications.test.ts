import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DynamoPlatformKeyIndex } from "../../lambdas/adapters/dynamodb/platform-key-index.ts";
import type { ProcessedMessage } from "../../lambdas/core/realtime/webhook-processor.ts";
import { mapBigCommerceWebhook } from "../../lambdas/core/webhooks/mappers/bigcommerce.ts";
import type { WebhookMapping } from "../../lambdas/core/webhooks/results.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { repoPath } from "../support/files.ts";
import { openPullSandbox, TestClock, testVendor } from "../support/scheduled.ts";
import { FixtureServer, loadExchange } from "./vendor-http/fixture-server.ts";

const STORE = "/stores/abc123xyz";
let server: FixtureServer;
let sandbox: Sandbox;
let processed: ProcessedMessage[];

const webhook = (name: string) => readFileSync(repoPath(`test/fixtures/webhooks/bigcommerce/${name}.body.json`));

beforeEach(async () => {
  server = await FixtureServer.start();
  const [duffle] = (
    loadExchange("bigcommerce-rest/catalog-products.page-1.json", server.origin).response.body as { data: unknown[] }
  ).data;
  server.route((request) =>
    request.url.pathname === `${STORE}/v3/catalog/products/113`
      ? { status: 200, body: { data: duffle, meta: {} } }
      : request.url.pathname.startsWith(`${STORE}/v3/catalog/products/`)
        ? { status: 404, body: { status: 404, title: "The requested product was not found." } }
        : undefined,
  );
  const vendor = testVendor({
    id: "bigc",
    defaultCurrency: "USD",
    timeZone: "UTC",
    channels: {
      webhook: {
        scheme: "bigcommerce",
        secretName: "test/bigc-webhook",
        signatureHeader: "X-Webhook-Auth",
        payloadFormat: "bigcommerce",
      },
      pull: {
        baseUrl: `${server.origin}${STORE}`,
        path: "/v3/catalog/products",
        secretName: "test/bigc-token",
        auth: { type: "api-key-header", header: "X-Auth-Token" },
        paging: { style: "page-number", param: "page", pageSizeParam: "limit", pageSize: 2 },
        recordsPath: "data",
        resources: { product: { path: "/v3/catalog/products/{id}", recordPath: "data" } },
        pageTimeoutSeconds: 10,
        format: "bigcommerce-rest",
      },
    },
  });
  sandbox = await openPullSandbox([vendor], new TestClock());
  processed = [];
  sandbox.events.on("processed", (p: ProcessedMessage) => processed.push(p));
});

afterEach(async () => {
  await sandbox.close();
  await server.close();
});

/** Maps a BigCommerce body with the real mapper and key index, queues it, and lets the processor run. */
async function deliver(body: Buffer, eventId?: string): Promise<WebhookMapping> {
  const keyIndex = new DynamoPlatformKeyIndex({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync });
  const mapping = await mapBigCommerceWebhook(JSON.parse(body.toString()), body, {
    headers: {},
    receivedAt: Date.now(),
    keyIndex: keyIndex.forVendor("bigc"),
  });
  await sandbox.realtimeQueue.send({
    body: JSON.stringify({
      kind: "webhook",
      version: 1,
      vendorId: "bigc",
      eventId: eventId ?? (mapping.kind === "ignored" ? "ignored" : mapping.eventId),
      receivedAt: Date.now(),
      archiveKey: "webhooks/bigc/test.json",
      mapping,
    }),
  });
  await sandbox.realtimeDriver.drain();
  return mapping;
}

const inventory = async () =>
  (await sandbox.records.get({ vendorId: "bigc", entityType: "inventory", entityKey: "24-MB01" }))?.attributes
    .available;

describe("thin notifications fetch the current resource through the vendor's connector", () => {
  it("reads a BigCommerce product named only by id and writes what the API holds now", async () => {
    const mapping = await deliver(webhook("store-product-updated"));
    expect(mapping).toMatchObject({ kind: "fetch", resource: { type: "product", id: "113" } });
    expect(server.requestsTo(`${STORE}/v3/catalog/products/113`)).toHaveLength(1);
    expect(server.requests[0]?.headers["x-auth-token"]).toBe(await sandbox.secrets.text("test/bigc-token"));
    const product = await sandbox.records.get({ vendorId: "bigc", entityType: "product", entityKey: "24-MB01" });
    expect(product).toMatchObject({
      attributes: { title: "Joust Duffle Bag" },
      // Never older than the notification (created_at 2025-03-14T09:26:51Z), though the record says 03-10.
      sourceTs: 1741944411000,
    });
    expect(await inventory()).toBe(100);
    expect(processed.at(-1)?.results.map((r) => r.outcome)).toEqual(["created", "created", "created"]);
  });

  it("ignores a notification for a product the vendor no longer has (404)", async () => {
    const body = Buffer.from(webhook("store-product-updated").toString().replace('"id":113', '"id":999'));
    await deliver(body);
    expect(processed.at(-1)).toMatchObject({ results: [], note: "unknown-resource" });
  });
});

describe("relative inventory movements through the processor", () => {
  it("applies a relative movement exactly once, however often it is delivered", async () => {
    await deliver(webhook("store-product-updated"));
    const movement = webhook("store-product-inventory-order-updated");
    const first = await deliver(movement);
    expect(first).toMatchObject({ kind: "inventory-delta", entityKey: "24-MB01", delta: -2 });
    await deliver(movement); // SQS redelivery, a replay, a DLQ redrive
    await deliver(movement);
    expect(await inventory()).toBe(98);
    expect(processed.slice(-3).map((p) => p.results.map((r) => r.outcome))).toEqual([
      ["updated"],
      ["duplicate"],
      ["duplicate"],
    ]);
  });

  it("never applies a movement across a newer absolute level", async () => {
    await deliver(webhook("store-product-updated"));
    // An absolute level from after the movement (sku inventory, method absolute, 2025-03-14T09:30:00Z).
    const absolute = Buffer.from(
      JSON.stringify({
        created_at: 1741944600,
        store_id: "1001234567",
        producer: "stores/abc123xyz",
        scope: "store/product/inventory/updated",
        hash: "absolute-level-1",
        data: { type: "product", id: 113, inventory: { product_id: 113, method: "absolute", value: 40 } },
      }),
    );
    await deliver(absolute);
    await deliver(webhook("store-product-inventory-order-updated"));
    expect(await inventory()).toBe(40);
    expect(processed.at(-1)?.results.map((r) => r.outcome)).toEqual(["stale"]);
  });
});
