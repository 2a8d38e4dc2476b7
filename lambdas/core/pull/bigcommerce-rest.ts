import * as v from "valibot";
import type { ChangeInput } from "../change-input.ts";
import {
  decimalText,
  epochMs,
  Id,
  mapEach,
  NullableText,
  nonBlank,
  PULL_SOURCE,
  type PullMapper,
  type PullMapResult,
  parseRecord,
  Text,
} from "./mapping.ts";

const Price = v.pipe(v.number(), v.minValue(0));

const ProductSchema = v.looseObject({
  id: Id,
  name: Text,
  sku: v.optional(NullableText),
  type: v.optional(Text),
  description: v.optional(NullableText),
  price: Price,
  sale_price: v.optional(v.nullable(Price)),
  cost_price: v.optional(v.nullable(Price)),
  inventory_level: v.optional(v.nullable(v.pipe(v.number(), v.safeInteger()))),
  inventory_tracking: v.optional(v.picklist(["none", "product", "variant"])),
  is_visible: v.optional(v.boolean()),
  categories: v.optional(v.array(Id)),
  upc: v.optional(NullableText),
  gtin: v.optional(NullableText),
  date_modified: Text,
});

/**
 * BigCommerce Catalog v3 products (`GET /stores/<hash>/v3/catalog/products`, records at `data`).
 *
 * Keys are the SKU, else the product id. Prices arrive as JSON numbers (`34.0`) and become exact
 * decimal text with the vendor currency's places (`"34.00"`); a number that is not an exact decimal is
 * rejected, never rounded. `sale_price` 0 means no sale; a running sale makes `price` the compare-at.
 * Stock is mapped when `inventory_tracking` is `product` (per-variant stock lives on
 * `/catalog/products/<id>/variants`). Source time is `date_modified`.
 *
 * @see https://developer.bigcommerce.com/docs/rest-catalog/products
 */
export const mapBigCommerceRest: PullMapper = (records, ctx): PullMapResult =>
  mapEach(records, (record) => {
    const product = parseRecord(ProductSchema, record, "product");
    const key = nonBlank(product.sku) ?? String(product.id);
    const sourceTs = epochMs(product.date_modified, "date_modified");
    const onSale = typeof product.sale_price === "number" && product.sale_price > 0;
    const changes: ChangeInput[] = [
      {
        entityType: "product",
        entityKey: key,
        sourceTs,
        source: PULL_SOURCE,
        attributes: {
          title: product.name,
          ...(product.type === undefined ? {} : { productType: product.type }),
          ...(product.is_visible === undefined ? {} : { status: product.is_visible ? "active" : "draft" }),
          ...(product.description === undefined ? {} : { description: nonBlank(product.description) ?? null }),
          ...(product.categories ? { categories: product.categories.map(String) } : {}),
          ...(product.gtin !== undefined || product.upc !== undefined
            ? { barcode: nonBlank(product.gtin) ?? nonBlank(product.upc) ?? null }
            : {}),
          // Inventory webhooks name only this id: the processor remembers the key by it.
          extra: { platformId: String(product.id) },
        },
      },
      {
        entityType: "price",
        entityKey: key,
        sourceTs,
        source: PULL_SOURCE,
        attributes: {
          amount: decimalText(
            onSale ? (product.sale_price as number) : product.price,
            ctx.currency,
            onSale ? "sale_price" : "price",
          ),
          compareAtAmount: onSale ? decimalText(product.price, ctx.currency, "price") : null,
          ...(product.cost_price === undefined
            ? {}
            : {
                costAmount:
                  product.cost_price === null || product.cost_price === 0
                    ? null
                    : decimalText(product.cost_price, ctx.currency, "cost_price"),
              }),
        },
      },
    ];
    if (product.inventory_tracking === "product" && typeof product.inventory_level === "number") {
      changes.push({
        entityType: "inventory",
        entityKey: key,
        sourceTs,
        source: PULL_SOURCE,
        attributes: { available: product.inventory_level },
      });
    }
    // Deletes and inventory webhooks name only the product id: every record of the product carries it.
    const resource = { type: "product" as const, id: String(product.id) };
    return changes.map((change) => ({ ...change, resource }));
  });
