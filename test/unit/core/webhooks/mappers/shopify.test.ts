import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../../lambdas/core/errors.ts";
import { mapWebhookPayload } from "../../../../../lambdas/core/webhooks/payload-mappers.ts";
import { canonical, changesOf, contextFor, fixtureBytes, keyIndexOf } from "../fixtures.ts";

const UPDATE_EVENT = "products/update:5f1d2c3b-8e7a-4b6c-9d0e-1a2b3c4d5e6f";
const UPDATED_AT = Date.parse("2025-03-14T09:26:52Z");

describe("Shopify products/update", () => {
  it("keys the product by handle and variants as the CSV import does (SKU, else handle/options)", async () => {
    // Prepare
    const body = fixtureBytes("shopify/products-update.body.json");

    // Act
    const changes = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/products-update.headers.json")),
    );

    // Assess
    expect(changes.map((c) => `${c.entityType} ${c.entityKey}`)).toEqual([
      "product classic-varsity-top",
      "product CVT-SM-GRY",
      "price CVT-SM-GRY",
      "inventory CVT-SM-GRY",
      "product classic-varsity-top/Medium",
      "price classic-varsity-top/Medium",
      "inventory classic-varsity-top/Medium",
      "product classic-varsity-top/Large",
      "price classic-varsity-top/Large",
      "inventory classic-varsity-top/Large",
    ]);
    for (const change of changes) {
      expect(change).toMatchObject({ eventId: UPDATE_EVENT, sourceTs: UPDATED_AT, source: "vendor:webhook" });
    }
  });

  it("carries the product's catalog data with raw UTF-8 text intact and its variant keys", async () => {
    // Prepare
    const body = fixtureBytes("shopify/products-update.body.json");

    // Act
    const [product] = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/products-update.headers.json")),
    );

    // Assess
    expect(product?.attributes).toEqual({
      title: "Classic Varsity Top",
      description:
        "Women’s casual varsity top — this grey and black buttoned top is a sport-inspired piece, complete with an embroidered letter.",
      brand: "partners-demo",
      productType: null,
      tags: ["women"],
      status: "active",
      images: ["https://cdn.shopify.com/s/files/1/0712/3456/7890/files/casual-fashion-woman_925x.jpg?v=1737388939"],
      variantKeys: ["CVT-SM-GRY", "classic-varsity-top/Medium", "classic-varsity-top/Large"],
      extra: { platformId: "8820432011521" },
    });
  });

  it("gives prices as decimal text that becomes exact minor units, and stock per variant", async () => {
    // Prepare
    const body = fixtureBytes("shopify/products-update.body.json");

    // Act
    const changes = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/products-update.headers.json")),
    );

    // Assess
    const price = changes.find((c) => c.entityType === "price" && c.entityKey === "classic-varsity-top/Medium");
    expect(price?.attributes).toEqual({ amount: "54.00", compareAtAmount: "60.00" });
    expect(canonical(price as never).attributes).toEqual({ amount: 5400, compareAtAmount: 6000, currency: "USD" });
    const stock = changes.filter((c) => c.entityType === "inventory").map((c) => c.attributes?.available);
    expect(stock).toEqual([12, 0, 3]);
    const variant = changes.find((c) => c.entityType === "product" && c.entityKey === "classic-varsity-top/Large");
    expect(variant?.attributes).toMatchObject({
      title: "Classic Varsity Top - Large",
      parentKey: "classic-varsity-top",
      options: { Size: "Large" },
    });
  });

  it("produces only changes the write path accepts", async () => {
    // Prepare
    const body = fixtureBytes("shopify/products-update.body.json");

    // Act
    const changes = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/products-update.headers.json")),
    );

    // Assess
    expect(() => changes.map((c) => canonical(c))).not.toThrow();
  });

  it("leaves variantKeys alone when Shopify truncated the variant list", async () => {
    // Prepare
    const product = JSON.parse(fixtureBytes("shopify/products-update.body.json").toString("utf8"));
    product.variant_gids.push({ admin_graphql_api_id: "gid://shopify/ProductVariant/1", updated_at: "x" });
    const body = Buffer.from(JSON.stringify(product));

    // Act
    const [productChange] = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/products-update.headers.json")),
    );

    // Assess
    expect(productChange?.attributes).not.toHaveProperty("variantKeys");
  });

  it("fails naming the field when a variant price is a number", async () => {
    // Prepare
    const product = JSON.parse(fixtureBytes("shopify/products-update.body.json").toString("utf8"));
    product.variants[1].price = 54.0;
    const body = Buffer.from(JSON.stringify(product));

    // Act
    const act = mapWebhookPayload("shopify", body, contextFor("shopify/products-update.headers.json"));

    // Assess
    await expect(act).rejects.toBeInstanceOf(ValidationError);
    await expect(act).rejects.toMatchObject({ field: "variants.1.price" });
  });
});

describe("Shopify products/delete", () => {
  it("names the deleted product by its Shopify id, at the time Shopify triggered the delete", async () => {
    // Prepare
    const body = fixtureBytes("shopify/products-delete.body.json");

    // Act
    const result = await mapWebhookPayload("shopify", body, contextFor("shopify/products-delete.headers.json"));

    // Assess: keys are found when the delete is processed (the product may not be stored yet).
    expect(result).toEqual({
      kind: "platform-delete",
      eventId: "products/delete:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      sourceTs: Date.parse("2025-03-14T09:41:07.550Z"),
      resource: { type: "product", id: "8820432011521" },
    });
  });

  it("marks every change of a products/update with the product's id, so a delete of it can be remembered", async () => {
    // Act
    const changes = changesOf(
      await mapWebhookPayload(
        "shopify",
        fixtureBytes("shopify/products-update.body.json"),
        contextFor("shopify/products-update.headers.json"),
      ),
    );

    // Assess
    expect(changes.length).toBe(10);
    expect(new Set(changes.map((c) => JSON.stringify(c.resource)))).toEqual(
      new Set([JSON.stringify({ type: "product", id: "8820432011521" })]),
    );
  });

  it("refuses a full product body sent under the (unsigned) delete topic", async () => {
    // Prepare
    const keyIndex = keyIndexOf({ "product:8820432011521": { entityKey: "classic-varsity-top" } });
    const body = fixtureBytes("shopify/products-update.body.json");

    // Act
    const act = mapWebhookPayload("shopify", body, contextFor("shopify/products-delete.headers.json", keyIndex));

    // Assess
    await expect(act).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("Shopify inventory_levels/update", () => {
  it("keys the level by inventory item and location", async () => {
    // Prepare
    const body = fixtureBytes("shopify/inventory_levels-update.body.json");

    // Act
    const changes = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/inventory_levels-update.headers.json")),
    );

    // Assess
    expect(changes).toEqual([
      {
        entityType: "inventory",
        entityKey: "49371538125057@71234568193",
        op: "upsert",
        eventId: "inventory_levels/update:3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",
        sourceTs: Date.parse("2025-03-14T09:27:04Z"),
        source: "vendor:webhook",
        attributes: { available: 7, locationId: "71234568193" },
      },
    ]);
  });

  it("keeps every digit of an id above 2^53 and clears an untracked level", async () => {
    // Prepare
    const body = fixtureBytes("shopify/inventory_levels-update.bigint.body.json");

    // Act
    const [change] = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/inventory_levels-update.bigint.headers.json")),
    );

    // Assess
    expect(change?.entityKey).toBe("5629499534213120017@24826418");
    expect(String(JSON.parse(body.toString("utf8")).inventory_item_id)).toBe("5629499534213120000");
    expect(change).toMatchObject({ op: "delete", sourceTs: Date.parse("2025-03-14T09:28:10Z") });
  });
});

describe("Shopify orders/updated", () => {
  it("records the order status and the shop-money total, not the presentment money", async () => {
    // Prepare
    const body = fixtureBytes("shopify/orders-updated.body.json");

    // Act
    const [order] = changesOf(
      await mapWebhookPayload("shopify", body, contextFor("shopify/orders-updated.headers.json")),
    );

    // Assess
    expect(order).toMatchObject({
      entityType: "order",
      entityKey: "6012345678901",
      eventId: "orders/updated:c7d8e9f0-a1b2-4c3d-8e4f-5a6b7c8d9e0f",
      sourceTs: Date.parse("2025-03-14T09:30:12Z"),
    });
    expect(order?.attributes).toEqual({
      status: "open",
      financialStatus: "paid",
      fulfillmentStatus: "partial",
      totalAmount: "108.00",
      currency: "USD",
      placedAt: Date.parse("2025-03-13T20:05:41Z"),
      lineItemCount: 1,
    });
    expect(canonical(order as never, "EUR").attributes).toMatchObject({ totalAmount: 10800, currency: "USD" });
  });

  it("ignores topics it does not map", async () => {
    // Prepare
    const ctx = contextFor("shopify/orders-updated.headers.json");
    const headers = { ...ctx.headers, "X-Shopify-Topic": "customers/update" };

    // Act
    const result = await mapWebhookPayload("shopify", Buffer.from("{}"), { ...ctx, headers });

    // Assess
    expect(result).toMatchObject({ kind: "ignored", reason: "unsupported-topic" });
  });

  it("fails naming the header when the topic is missing", async () => {
    // Act
    const act = mapWebhookPayload("shopify", fixtureBytes("shopify/orders-updated.body.json"), contextFor(undefined));

    // Assess
    await expect(act).rejects.toMatchObject({ name: "ValidationError", field: "headers.X-Shopify-Topic" });
  });
});
