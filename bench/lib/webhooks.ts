/**
 * Signed webhook deliveries for the benchmarks: the bundled Shopify `products/update` example grown
 * to about 10 KB with more variants (each one real variant's fields, new ids and SKUs), signed as
 * Shopify signs (base64 HMAC-SHA256 of the raw body).
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { ROOT } from "./fixtures.ts";

/** @returns a `products/update` body of at least `minBytes` bytes. */
export function shopifyProductBody(minBytes = 10 * 1024): Buffer {
  const product = JSON.parse(readFileSync(`${ROOT}examples/webhooks/shopify/products-update.body.json`, "utf8")) as {
    variants: Record<string, unknown>[];
  } & Record<string, unknown>;
  const template = product.variants[0] as Record<string, unknown>;
  const variants = [...product.variants];
  for (let i = 0; Buffer.byteLength(JSON.stringify({ ...product, variants })) < minBytes; i++) {
    variants.push({
      ...template,
      id: 47281931900000 + i,
      sku: `CVT-BENCH-${i}`,
      title: `Bench ${i}`,
      option1: `Bench ${i}`,
      inventory_item_id: 49371538900000 + i,
      position: variants.length + 1,
    });
  }
  return Buffer.from(JSON.stringify({ ...product, variants }));
}

/** The headers Shopify sends with a delivery (the event id must differ per delivery). */
export function shopifyHeaders(secret: string, body: Buffer, eventId: string): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-shopify-topic": "products/update",
    "x-shopify-hmac-sha256": createHmac("sha256", secret).update(body).digest("base64"),
    "x-shopify-event-id": eventId,
    "x-shopify-webhook-id": `wh-${eventId}`,
    "x-shopify-triggered-at": new Date().toISOString(),
  };
}
