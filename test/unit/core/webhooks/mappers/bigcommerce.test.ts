import { describe, expect, it } from "vitest";
import { mapWebhookPayload } from "../../../../../lambdas/core/webhooks/payload-mappers.ts";
import { canonical, changesOf, contextFor, fixtureBytes, keyIndexOf } from "../fixtures.ts";

describe("BigCommerce thin notifications", () => {
  it("turns store/product/updated into a fetch of the product, identified by the body hash", async () => {
    // Prepare
    const body = fixtureBytes("bigcommerce/store-product-updated.body.json");

    // Act
    const result = await mapWebhookPayload(
      "bigcommerce",
      body,
      contextFor("bigcommerce/store-product-updated.headers.json"),
    );

    // Assess
    expect(result).toEqual({
      kind: "fetch",
      eventId: "2577c2132fb9290b3a84886f7abf3fa31f789a89",
      sourceTs: 1_741_944_411_000,
      resource: { type: "product", id: "113" },
      reason: "thin-notification",
    });
  });

  it("gives a redelivery the same event id", async () => {
    // Prepare
    const first = fixtureBytes("bigcommerce/store-product-updated.body.json");
    const again = fixtureBytes("bigcommerce/store-product-updated.redelivery.body.json");

    // Act
    const a = await mapWebhookPayload("bigcommerce", first, contextFor(undefined));
    const b = await mapWebhookPayload("bigcommerce", again, contextFor(undefined));

    // Assess
    expect(a.kind === "fetch" && b.kind === "fetch" && a.eventId === b.eventId).toBe(true);
  });

  it("falls back to the SHA-256 of the body when there is no hash", async () => {
    // Prepare
    const body = Buffer.from(
      '{"created_at":1741944411,"scope":"store/product/updated","data":{"type":"product","id":113}}',
    );

    // Act
    const result = await mapWebhookPayload("bigcommerce", body, contextFor(undefined));

    // Assess
    expect(result).toMatchObject({ kind: "fetch", eventId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });
});

describe("BigCommerce inventory", () => {
  it("sets the absolute level on the variant's record", async () => {
    // Prepare
    const keyIndex = keyIndexOf({ "variant:509": { entityKey: "24-MB01" } });
    const body = fixtureBytes("bigcommerce/store-sku-inventory-updated.body.json");

    // Act
    const changes = changesOf(await mapWebhookPayload("bigcommerce", body, contextFor(undefined, keyIndex)));

    // Assess
    expect(changes).toEqual([
      {
        entityType: "inventory",
        entityKey: "24-MB01",
        op: "upsert",
        eventId: "69ec19f0e3a363673afbf408f3c11a4a39d5de97",
        sourceTs: 1_741_944_412_000,
        source: "vendor:webhook",
        attributes: { available: 14 },
      },
    ]);
    expect(canonical(changes[0] as never).attributes).toEqual({ available: 14 });
  });

  it("fetches the variant when its record key is not known yet", async () => {
    // Prepare
    const body = fixtureBytes("bigcommerce/store-sku-inventory-updated.body.json");

    // Act
    const result = await mapWebhookPayload("bigcommerce", body, contextFor(undefined));

    // Assess
    expect(result).toMatchObject({
      kind: "fetch",
      reason: "key-unknown",
      resource: { type: "variant", id: "509", productId: "113" },
    });
  });

  it("turns a relative order movement into a delta, never into an absolute level", async () => {
    // Prepare
    const keyIndex = keyIndexOf({ "product:113": { entityKey: "24-MB01" } });
    const body = fixtureBytes("bigcommerce/store-product-inventory-order-updated.body.json");

    // Act
    const result = await mapWebhookPayload("bigcommerce", body, contextFor(undefined, keyIndex));

    // Assess
    expect(result).toEqual({
      kind: "inventory-delta",
      eventId: "f81348adc1d35dd52beb070adcbf5f597fc36acc",
      sourceTs: 1_741_944_413_000,
      entityKey: "24-MB01",
      delta: -2,
    });
  });
});

describe("BigCommerce order status", () => {
  it("names the new numeric status per BigCommerce's list", async () => {
    // Prepare
    const body = fixtureBytes("bigcommerce/store-order-statusUpdated.body.json");

    // Act
    const changes = changesOf(await mapWebhookPayload("bigcommerce", body, contextFor(undefined)));

    // Assess
    expect(changes).toEqual([
      {
        entityType: "order",
        entityKey: "250",
        op: "upsert",
        eventId: "8a8d193e001f6f01cac4368fa7ec472a47702064",
        sourceTs: 1_741_944_453_000,
        source: "vendor:webhook",
        attributes: { status: "Shipped" },
      },
    ]);
  });

  it("fails naming the field for a status id it does not know", async () => {
    // Prepare
    const body = Buffer.from(
      fixtureBytes("bigcommerce/store-order-statusUpdated.body.json")
        .toString("utf8")
        .replace('"new_status_id":2', '"new_status_id":99'),
    );

    // Act
    const act = mapWebhookPayload("bigcommerce", body, contextFor(undefined));

    // Assess
    await expect(act).rejects.toMatchObject({ name: "ValidationError", field: "data.status.new_status_id" });
  });
});
