import { describe, expect, it } from "vitest";
import { mapWebhookPayload } from "../../../../../lambdas/core/webhooks/payload-mappers.ts";
import { signedMessageId } from "../../../../../lambdas/core/webhooks/signatures.ts";
import { canonical, changesOf, contextFor, fixtureBytes } from "../fixtures.ts";

describe("Stripe-style product.updated", () => {
  it("maps the Stripe product to a product record keyed by its vendor SKU, identified by the event id", async () => {
    // Prepare
    const body = fixtureBytes("stripe-style/product-updated.body.json");

    // Act
    const changes = changesOf(
      await mapWebhookPayload("canonical", body, contextFor("stripe-style/product-updated.headers.json")),
    );

    // Assess
    expect(changes).toEqual([
      {
        entityType: "product",
        entityKey: "24-MB01",
        op: "upsert",
        eventId: "evt_1R2fixtureProdUpd01",
        sourceTs: 1_741_944_412_000,
        source: "vendor:webhook",
        attributes: {
          title: "Joust Duffle Bag",
          description: "Joust Duffle Bag",
          status: "active",
          extra: { platformId: "prod_RfixtureJoust01" },
        },
      },
    ]);
  });
});

describe("Standard Webhooks product.updated", () => {
  it("expands the item snapshot into product, price and inventory keyed by SKU, identified by the signed message id", async () => {
    // Prepare
    const body = fixtureBytes("standard-webhooks/product-updated.body.json");
    const ctx = contextFor("standard-webhooks/product-updated.headers.json");
    const signedEventId = signedMessageId({ scheme: "standard-webhooks" }, ctx.headers);

    // Act
    const changes = changesOf(await mapWebhookPayload("canonical", body, { ...ctx, signedEventId }));

    // Assess
    expect(changes.map((c) => [c.entityType, c.entityKey, c.attributes])).toEqual([
      ["product", "24-MB01", { title: "Joust Duffle Bag" }],
      ["price", "24-MB01", { amount: "31.99", currency: "EUR" }],
      ["inventory", "24-MB01", { available: 95 }],
    ]);
    for (const change of changes) {
      expect(change).toMatchObject({
        eventId: "msg_2uQfixture7Hk3VxPz9Yb1Lm4Nc0",
        sourceTs: Date.parse("2025-03-14T09:26:52Z"),
      });
    }
    expect(canonical(changes[1] as never).attributes).toEqual({ amount: 3199, currency: "EUR" });
  });
});

describe("canonical changes in data", () => {
  const envelope = (data: unknown) =>
    Buffer.from(JSON.stringify({ id: "evt_42", type: "changes.created", created: 1_741_944_413, data }));

  it("takes a list of canonical changes, filling event id and time from the envelope", async () => {
    // Prepare
    const body = envelope({
      changes: [
        { entityType: "price", entityKey: "24-MB01", attributes: { amount: "31.99", currency: "EUR" } },
        {
          entityType: "inventory",
          entityKey: "24-MB01",
          sourceTs: "2025-03-14T09:00:00Z",
          attributes: { available: 3 },
        },
      ],
    });

    // Act
    const changes = changesOf(await mapWebhookPayload("canonical", body, contextFor(undefined)));

    // Assess
    expect(changes.map((c) => [c.entityKey, c.eventId, c.sourceTs])).toEqual([
      ["24-MB01", "evt_42", 1_741_944_413_000],
      ["24-MB01", "evt_42", "2025-03-14T09:00:00Z"],
    ]);
  });

  it("does not let a vendor claim the admin source", async () => {
    // Prepare
    const body = envelope({ entityType: "inventory", entityKey: "A", source: "admin", attributes: { available: 1 } });

    // Act
    const [change] = changesOf(await mapWebhookPayload("canonical", body, contextFor(undefined)));

    // Assess
    expect(change?.source).toBe("vendor:webhook");
  });

  it("fails naming the field of a malformed change", async () => {
    // Prepare
    const body = envelope([{ entityType: "widget", entityKey: "A" }]);

    // Act
    const act = mapWebhookPayload("canonical", body, contextFor(undefined));

    // Assess
    await expect(act).rejects.toMatchObject({ name: "ValidationError", field: "data.0.entityType" });
  });

  it("fails when the event has neither an id nor a webhook-id header", async () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ type: "x.updated", created: 1, data: [] }));

    // Act
    const act = mapWebhookPayload("canonical", body, contextFor(undefined));

    // Assess
    await expect(act).rejects.toMatchObject({ name: "ValidationError", field: "id" });
  });
});
