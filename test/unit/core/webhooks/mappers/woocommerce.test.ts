import { describe, expect, it } from "vitest";
import { mapWebhookPayload } from "../../../../../lambdas/core/webhooks/payload-mappers.ts";
import { canonical, changesOf, contextFor, fixtureBytes } from "../fixtures.ts";

const MODIFIED = Date.parse("2025-03-14T09:31:05Z");

describe("WooCommerce product.updated", () => {
  it("keys by SKU, reads date_modified_gmt as UTC and derives a retry-stable event id", async () => {
    // Prepare
    const body = fixtureBytes("woocommerce/product-updated.body.json");

    // Act
    const result = await mapWebhookPayload("woocommerce", body, contextFor("woocommerce/product-updated.headers.json"));

    // Assess
    const changes = changesOf(result);
    expect(changes.map((c) => `${c.entityType} ${c.entityKey}`)).toEqual([
      "product woo-beanie",
      "price woo-beanie",
      "inventory woo-beanie",
    ]);
    for (const change of changes) {
      expect(change).toMatchObject({ eventId: "product/48@2025-03-14T09:31:05", sourceTs: MODIFIED });
    }
  });

  it("gets the same event id when WooCommerce retries with a new delivery id", async () => {
    // Prepare
    const body = fixtureBytes("woocommerce/product-updated.body.json");
    const first = contextFor("woocommerce/product-updated.headers.json");
    const retry = { ...first, headers: { ...first.headers, "X-WC-Webhook-Delivery-ID": "another-attempt" } };

    // Act
    const a = await mapWebhookPayload("woocommerce", body, first);
    const b = await mapWebhookPayload("woocommerce", body, retry);

    // Assess
    expect(a.kind === "changes" && b.kind === "changes" && a.eventId === b.eventId).toBe(true);
  });

  it("maps prices as text (sale price now, regular price as compare-at), ignoring price_html", async () => {
    // Prepare
    const body = fixtureBytes("woocommerce/product-updated.body.json");

    // Act
    const changes = changesOf(
      await mapWebhookPayload("woocommerce", body, contextFor("woocommerce/product-updated.headers.json")),
    );

    // Assess
    const price = changes.find((c) => c.entityType === "price");
    expect(price?.attributes).toEqual({ amount: "18", compareAtAmount: "20" });
    expect(canonical(price as never, "EUR").attributes).toEqual({
      amount: 1800,
      compareAtAmount: 2000,
      currency: "EUR",
    });
    expect(changes.find((c) => c.entityType === "inventory")?.attributes).toEqual({ available: 7, backorders: "deny" });
  });

  it("decodes PHP's escapes in text (\\/ and \\u2014)", async () => {
    // Prepare
    const body = fixtureBytes("woocommerce/product-updated.body.json");

    // Act
    const [product] = changesOf(
      await mapWebhookPayload("woocommerce", body, contextFor("woocommerce/product-updated.headers.json")),
    );

    // Assess
    expect(product?.attributes).toMatchObject({
      title: "Beanie",
      description: "<p>Knitted beanie — 100% merino, “soft touch” finish.</p>\n",
      status: "active",
      categories: ["Accessories"],
      images: ["https://vendor-demo.example/wp-content/uploads/2024/11/beanie-2.jpg"],
      extra: { platformId: "48" },
    });
  });

  it("keys a product without SKU by its id, apart from numeric SKUs", async () => {
    // Prepare
    const product = JSON.parse(fixtureBytes("woocommerce/product-updated.body.json").toString("utf8"));
    product.sku = "";
    const body = Buffer.from(JSON.stringify(product));

    // Act
    const [change] = changesOf(
      await mapWebhookPayload("woocommerce", body, contextFor("woocommerce/product-updated.headers.json")),
    );

    // Assess
    expect(change?.entityKey).toBe("id/48");
  });
});

describe("WooCommerce product.deleted", () => {
  it("names the trashed product by its WooCommerce id, at the arrival time", async () => {
    // Prepare
    const ctx = contextFor("woocommerce/product-deleted.headers.json");

    // Act
    const result = await mapWebhookPayload("woocommerce", fixtureBytes("woocommerce/product-deleted.body.json"), ctx);

    // Assess
    expect(result).toEqual({
      kind: "platform-delete",
      eventId: "product/48@delivery:1f0e9d8c7b6a59483726150f4e3d2c1b",
      sourceTs: ctx.receivedAt,
      resource: { type: "product", id: "48" },
    });
  });
});

describe("WooCommerce order.updated", () => {
  it("records status and the string total in the order currency; float line prices are ignored", async () => {
    // Prepare
    const body = fixtureBytes("woocommerce/order-updated.body.json");

    // Act
    const [order] = changesOf(
      await mapWebhookPayload("woocommerce", body, contextFor("woocommerce/order-updated.headers.json")),
    );

    // Assess
    expect(order).toMatchObject({
      entityType: "order",
      entityKey: "731",
      eventId: "order/731@2025-03-14T09:36:40",
      sourceTs: Date.parse("2025-03-14T09:36:40Z"),
    });
    expect(order?.attributes).toEqual({
      status: "completed",
      totalAmount: "40.90",
      currency: "EUR",
      placedAt: Date.parse("2025-03-13T17:44:02Z"),
      lineItemCount: 1,
    });
    expect(canonical(order as never).attributes).toMatchObject({ totalAmount: 4090, currency: "EUR" });
  });

  it("fails naming the field when the total is a number", async () => {
    // Prepare
    const order = JSON.parse(fixtureBytes("woocommerce/order-updated.body.json").toString("utf8"));
    order.total = 40.9;

    // Act
    const act = mapWebhookPayload(
      "woocommerce",
      Buffer.from(JSON.stringify(order)),
      contextFor("woocommerce/order-updated.headers.json"),
    );

    // Assess
    await expect(act).rejects.toMatchObject({ name: "ValidationError", field: "total" });
  });
});
