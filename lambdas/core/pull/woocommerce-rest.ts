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
  type PullMapContext,
  type PullMapper,
  type PullMapResult,
  parseRecord,
  Text,
} from "./mapping.ts";

const Money = v.optional(v.nullable(v.union([Text, v.number()])));

const ItemSchema = v.looseObject({
  id: Id,
  sku: v.optional(NullableText),
  name: v.optional(Text),
  type: v.optional(Text),
  status: v.optional(Text),
  description: v.optional(NullableText),
  short_description: v.optional(NullableText),
  date_modified: v.optional(NullableText),
  date_modified_gmt: v.optional(NullableText),
  regular_price: Money,
  sale_price: Money,
  on_sale: v.optional(v.boolean()),
  manage_stock: v.optional(v.union([v.boolean(), Text])),
  stock_quantity: v.optional(v.nullable(v.pipe(v.number(), v.safeInteger()))),
  backorders: v.optional(Text),
  categories: v.optional(v.array(v.looseObject({ name: Text }))),
  tags: v.optional(v.array(v.looseObject({ name: Text }))),
  attributes: v.optional(v.array(v.looseObject({ name: Text, option: v.optional(Text) }))),
});

type Item = v.InferOutput<typeof ItemSchema>;

/**
 * WordPress post statuses → catalog status (`publish` is live; `trash` only precedes a delete), for
 * pulled products and webhook deliveries alike (both carry the REST API's product).
 */
export const WOOCOMMERCE_STATUS: Readonly<Record<string, "active" | "draft" | "archived">> = {
  publish: "active",
  draft: "draft",
  pending: "draft",
  private: "draft",
  future: "draft",
  trash: "archived",
};

/** WooCommerce `backorders` settings → the catalog's. */
export const WOOCOMMERCE_BACKORDERS: Readonly<Record<string, "deny" | "allow" | "notify">> = {
  no: "deny",
  yes: "allow",
  notify: "notify",
};

/** Key of a WooCommerce product or variation: its SKU, else its numeric id (SKUs are optional there). */
export function wooCommerceKey(item: { sku?: string | null; id: string | number }): string {
  return nonBlank(item.sku) ?? String(item.id);
}

/** Modification time: `date_modified_gmt` (UTC without offset), else `date_modified` in the site's zone. */
function modified(item: Item, ctx: PullMapContext): number {
  if (nonBlank(item.date_modified_gmt)) return epochMs(item.date_modified_gmt, "date_modified_gmt", "UTC");
  return epochMs(item.date_modified, "date_modified", ctx.timeZone);
}

function priceAndStock(item: Item, key: string, sourceTs: number, ctx: PullMapContext): ChangeInput[] {
  const changes: ChangeInput[] = [];
  const regular = typeof item.regular_price === "number" ? item.regular_price : nonBlank(item.regular_price);
  const sale = typeof item.sale_price === "number" ? item.sale_price : nonBlank(item.sale_price);
  // Variable and grouped parents have no price of their own ("" regular price); their variations do.
  if (regular !== undefined) {
    // `on_sale` says whether a scheduled sale is running now; without it, a sale price means one is.
    const onSale = sale !== undefined && (item.on_sale ?? true);
    changes.push({
      entityType: "price",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        amount: decimalText(
          onSale ? (sale as string | number) : regular,
          ctx.currency,
          onSale ? "sale_price" : "regular_price",
        ),
        compareAtAmount: onSale ? decimalText(regular, ctx.currency, "regular_price") : null,
      },
    });
  }
  // Stock is tracked only with manage_stock true ("parent" on a variation means the parent's stock).
  if (item.manage_stock === true && typeof item.stock_quantity === "number") {
    const backorders = item.backorders ? WOOCOMMERCE_BACKORDERS[item.backorders] : undefined;
    changes.push({
      entityType: "inventory",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: { available: item.stock_quantity, ...(backorders ? { backorders } : {}) },
    });
  }
  return changes;
}

/**
 * WooCommerce REST v3 products (`GET /wp-json/wc/v3/products`, records at `$`).
 *
 * Keys are the SKU, else the product id ({@link wooCommerceKey}). Each product gives a `product`
 * change; simple products also a `price` (the sale price while `on_sale`, with the regular price as
 * compare-at) and, when `manage_stock` is on, an `inventory` change (negative stock with backorders is
 * kept). Variable parents carry no price of their own: fetch `/products/<id>/variations` and map those
 * with {@link mapWooCommerceVariations}. Source time is `date_modified_gmt`.
 *
 * @see https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties
 */
export const mapWooCommerceRest: PullMapper = (records, ctx): PullMapResult =>
  mapEach(records, (record) => {
    const item = parseRecord(ItemSchema, record, "product");
    const key = wooCommerceKey(item);
    const sourceTs = modified(item, ctx);
    const status = item.status ? WOOCOMMERCE_STATUS[item.status] : undefined;
    const product: ChangeInput = {
      entityType: "product",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        ...(item.name === undefined ? {} : { title: item.name }),
        ...(item.type === undefined ? {} : { productType: item.type }),
        ...(status ? { status } : {}),
        ...(item.description === undefined ? {} : { description: nonBlank(item.description) ?? null }),
        ...(item.short_description === undefined ? {} : { shortDescription: nonBlank(item.short_description) ?? null }),
        ...(item.categories ? { categories: item.categories.map((category) => category.name) } : {}),
        ...(item.tags ? { tags: item.tags.map((tag) => tag.name) } : {}),
      },
    };
    return [product, ...priceAndStock(item, key, sourceTs, ctx)];
  });

/**
 * Variations of one variable product (`GET /wp-json/wc/v3/products/<id>/variations`): each becomes a
 * variant `product` change (options from `attributes[].option`, `parentKey` = the parent's key), a
 * `price` and, when stock is managed per variation, an `inventory` change.
 *
 * @param parent - the variable product as listed (`id`, `sku`, `name`).
 * @see https://woocommerce.github.io/woocommerce-rest-api-docs/#product-variation-properties
 */
export function mapWooCommerceVariations(
  parent: { readonly id: string | number; readonly sku?: string | null; readonly name?: string },
  records: readonly unknown[],
  ctx: PullMapContext,
): PullMapResult {
  const parentKey = wooCommerceKey(parent);
  return mapEach(records, (record) => {
    const item = parseRecord(ItemSchema, record, "variation");
    const key = wooCommerceKey(item);
    const sourceTs = modified(item, ctx);
    const options = Object.fromEntries(
      (item.attributes ?? [])
        .filter((attribute) => attribute.option !== undefined)
        .map((a) => [a.name, a.option as string]),
    );
    const values = Object.values(options);
    const variant: ChangeInput = {
      entityType: "product",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        title: parent.name && values.length > 0 ? `${parent.name} - ${values.join(" / ")}` : (parent.name ?? key),
        parentKey,
        options,
      },
    };
    return [variant, ...priceAndStock(item, key, sourceTs, ctx)];
  });
}
