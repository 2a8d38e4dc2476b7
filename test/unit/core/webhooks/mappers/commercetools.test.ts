import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../../lambdas/core/errors.ts";
import { mapWebhookPayload } from "../../../../../lambdas/core/webhooks/payload-mappers.ts";
import { canonical, changesOf, contextFor, fixtureBytes } from "../fixtures.ts";

const map = (path: string) => mapWebhookPayload("commercetools", fixtureBytes(path), contextFor(undefined));

describe("commercetools InventoryEntryQuantitySet", () => {
  it("sets the available quantity per SKU and supply channel, ordered by resourceVersion", async () => {
    // Act
    const changes = changesOf(await map("commercetools/InventoryEntryQuantitySet.json"));

    // Assess
    expect(changes).toEqual([
      {
        entityType: "inventory",
        entityKey: "24-MB01@c3a1f0e2-5b7d-4e9c-8a6f-2d4b1c0e9f73",
        op: "upsert",
        eventId: "2b7f4c1e-9a0d-4e63-8f25-6c1b3a9d7e40",
        sourceTs: Date.parse("2025-03-14T09:26:53.412Z"),
        sourceVersion: 4,
        source: "vendor:webhook",
        attributes: { available: 95, locationId: "c3a1f0e2-5b7d-4e9c-8a6f-2d4b1c0e9f73" },
      },
    ]);
  });

  it("fetches the entry when an older message has no sku", async () => {
    // Prepare
    const message = JSON.parse(fixtureBytes("commercetools/InventoryEntryQuantitySet.json").toString("utf8"));
    delete message.sku;

    // Act
    const result = await mapWebhookPayload(
      "commercetools",
      Buffer.from(JSON.stringify(message)),
      contextFor(undefined),
    );

    // Assess
    expect(result).toMatchObject({
      kind: "fetch",
      reason: "key-unknown",
      resource: { type: "inventory-entry", id: "8d0b6a52-1f3e-4c7a-9b25-e4f6a1c3d508" },
    });
  });
});

describe("commercetools StandalonePriceValueChanged", () => {
  it.each([
    [
      "EUR (2 fraction digits)",
      "commercetools/StandalonePriceValueChanged.json",
      "price-24-MB01",
      "31.99",
      "EUR",
      3199,
    ],
    [
      "JPY (0 fraction digits)",
      "commercetools/StandalonePriceValueChanged.jpy.json",
      "price-24-MB01-jpy",
      "5400",
      "JPY",
      5400,
    ],
  ])("converts centAmount in %s to decimal text and exact minor units", async (_, path, key, text, currency, minor) => {
    // Act
    const [change] = changesOf(await map(path));

    // Assess
    expect(change).toMatchObject({ entityType: "price", entityKey: key, sourceVersion: 2 });
    expect(change?.attributes).toEqual({ amount: text, currency });
    expect(canonical(change as never).attributes).toEqual({ amount: minor, currency });
  });

  it("refuses a high-precision amount that EUR cents cannot hold without rounding", async () => {
    // Act
    const act = map("commercetools/StandalonePriceValueChanged.highPrecision.json");

    // Assess
    await expect(act).rejects.toBeInstanceOf(ValidationError);
    await expect(act).rejects.toMatchObject({ field: "value.preciseAmount" });
  });

  it("accepts a high-precision amount whose extra digits are zero", async () => {
    // Prepare
    const message = JSON.parse(
      fixtureBytes("commercetools/StandalonePriceValueChanged.highPrecision.json").toString("utf8"),
    );
    message.value.preciseAmount = 3_199_000;

    // Act
    const [change] = changesOf(
      await mapWebhookPayload("commercetools", Buffer.from(JSON.stringify(message)), contextFor(undefined)),
    );

    // Assess
    expect(change?.attributes).toEqual({ amount: "31.99", currency: "EUR" });
  });

  it("ignores staged (not yet live) price changes", async () => {
    // Prepare
    const message = JSON.parse(fixtureBytes("commercetools/StandalonePriceValueChanged.json").toString("utf8"));
    message.staged = true;

    // Act
    const result = await mapWebhookPayload(
      "commercetools",
      Buffer.from(JSON.stringify(message)),
      contextFor(undefined),
    );

    // Assess
    expect(result).toMatchObject({ kind: "ignored", reason: "not-live" });
  });
});

describe("commercetools notifications without data", () => {
  it("fetches the product of a ResourceUpdated change notification", async () => {
    // Act
    const result = await map("commercetools/ResourceUpdated.json");

    // Assess
    expect(result).toEqual({
      kind: "fetch",
      eventId: "product/f4e2a9c1-7b3d-4f60-8e15-9a2c4b6d8e01@12",
      sourceTs: Date.parse("2025-03-14T09:26:53.902Z"),
      sourceVersion: 12,
      resource: { type: "product", id: "f4e2a9c1-7b3d-4f60-8e15-9a2c4b6d8e01" },
      reason: "change-notification",
    });
  });

  it("fetches a message whose payload was left out", async () => {
    // Act
    const result = await map("commercetools/ProductPublished.payloadNotIncluded.json");

    // Assess
    expect(result).toEqual({
      kind: "fetch",
      eventId: "5e9c1a7b-3d2f-4b80-9c64-0a1e2f3b4c5d",
      sourceTs: Date.parse("2025-03-14T09:27:30.118Z"),
      sourceVersion: 13,
      resource: { type: "product", id: "f4e2a9c1-7b3d-4f60-8e15-9a2c4b6d8e01" },
      reason: "payload-not-included",
      messageId: "5e9c1a7b-3d2f-4b80-9c64-0a1e2f3b4c5d",
    });
  });
});
