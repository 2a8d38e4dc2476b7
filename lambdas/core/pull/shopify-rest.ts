import * as v from "valibot";
import type { ChangeInput } from "../change-input.ts";
import { setDataKey } from "../data-keys.ts";
import { shopifyVariantKey } from "../formats/shopify-csv.ts";
import {
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
import { shopifyOfferChanges } from "./shopify-offer.ts";

/** The title Shopify gives the only variant of a product without options. */
const DEFAULT_TITLE = "Default Title";

const VariantSchema = v.looseObject({
  id: v.optional(Id),
  title: v.optional(NullableText),
  sku: v.optional(NullableText),
  price: v.union([Text, v.number()]),
  compare_at_price: v.optional(v.nullable(v.union([Text, v.number()]))),
  option1: v.optional(NullableText),
  option2: v.optional(NullableText),
  option3: v.optional(NullableText),
  inventory_quantity: v.optional(v.nullable(v.pipe(v.number(), v.safeInteger()))),
  inventory_policy: v.optional(NullableText),
  barcode: v.optional(NullableText),
  grams: v.optional(v.nullable(v.number())),
  updated_at: v.optional(NullableText),
});

const ProductSchema = v.looseObject({
  id: v.optional(Id),
  handle: v.pipe(Text, v.minLength(1)),
  title: Text,
  updated_at: Text,
  body_html: v.optional(NullableText),
  vendor: v.optional(NullableText),
  product_type: v.optional(NullableText),
  status: v.optional(NullableText),
  tags: v.optional(NullableText),
  options: v.optional(v.array(v.looseObject({ name: Text }))),
  variants: v.optional(v.array(v.unknown()), []),
});

type Variant = v.InferOutput<typeof VariantSchema>;

/**
 * A REST variant's option values: `option1..3` when present, else its title split on `" / "` (the
 * title is the option values joined that way; `Default Title` means none).
 */
function optionValues(variant: Variant): string[] {
  const options = [variant.option1, variant.option2, variant.option3].filter(
    (value): value is string => typeof value === "string" && value.trim() !== "",
  );
  if (options.length > 0) return options;
  const title = nonBlank(variant.title);
  return title && title !== DEFAULT_TITLE ? title.split(" / ") : [];
}

function status(value: string | null | undefined): "active" | "draft" | "archived" | undefined {
  return value === "active" || value === "draft" || value === "archived" ? value : undefined;
}

/** A variant's changes: its own product (when the product has options), price and inventory. */
function variantChanges(
  variant: Variant,
  key: string,
  values: readonly string[],
  product: {
    readonly title: string;
    readonly handle: string;
    readonly names: readonly string[] | undefined;
    readonly hasOptions: boolean;
    readonly productTs: number;
  },
  ctx: Parameters<PullMapper>[1],
): ChangeInput[] {
  const { handle, names, hasOptions, productTs } = product;
  const changes: ChangeInput[] = [];
  const sourceTs = variant.updated_at ? epochMs(variant.updated_at, "variants.updated_at") : productTs;
  if (hasOptions) {
    const options: Record<string, string> = {};
    values.forEach((value, i) => {
      const name = names?.[i];
      if (name) setDataKey(options, name, value);
    });
    changes.push({
      entityType: "product",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        title: `${product.title} - ${values.join(" / ")}`,
        parentKey: handle,
        ...(names ? { options } : {}),
        ...(variant.barcode === undefined ? {} : { barcode: nonBlank(variant.barcode) ?? null }),
        ...(variant.grams === undefined
          ? {}
          : {
              weight: variant.grams === null ? null : String(variant.grams),
              weightUnit: variant.grams === null ? null : "g",
            }),
      },
    });
  }
  changes.push(
    ...shopifyOfferChanges(
      key,
      sourceTs,
      {
        price: variant.price,
        compareAtPrice: variant.compare_at_price === "" ? null : variant.compare_at_price,
        compareAtField: "variants.compare_at_price",
        inventoryQuantity: variant.inventory_quantity,
        continueSelling: variant.inventory_policy ? variant.inventory_policy === "continue" : undefined,
      },
      ctx.currency,
    ),
  );
  return changes;
}

/**
 * Shopify Admin REST products (`GET /admin/api/<version>/products.json`, records at `products`).
 *
 * Each product becomes a `product` change keyed by handle; each variant a `price` and an `inventory`
 * change keyed by {@link shopifyVariantKey} (SKU, else `handle/<option values>`, else
 * `handle/Default Title`), plus, for products with options, a variant `product` change pointing at its
 * parent — the same keys and shapes as the Shopify CSV import. Prices stay decimal text (`"60.00"`);
 * `updated_at` (product, or variant when present) is the source time. A variant whose key repeats
 * within its product is rejected on its own.
 *
 * @see https://shopify.dev/docs/api/admin-rest/latest/resources/product
 * @see https://shopify.dev/docs/api/admin-rest/latest/resources/product-variant
 */
export const mapShopifyRest: PullMapper = (records, ctx): PullMapResult =>
  mapEach(records, (record, _index, reject) => {
    const product = parseRecord(ProductSchema, record, "product");
    const handle = product.handle.trim();
    const productTs = epochMs(product.updated_at, "updated_at");
    const variants = product.variants.map((variant, i) => parseRecord(VariantSchema, variant, `variants[${i}]`));
    const names = product.options?.map((option) => option.name);
    const hasOptions = names
      ? names.some((name) => name !== "Title")
      : variants.some((variant) => optionValues(variant).length > 0);
    const changes: ChangeInput[] = [];
    const variantKeys: string[] = [];

    for (const variant of variants) {
      const values = optionValues(variant);
      const key = shopifyVariantKey(handle, variant.sku, values);
      if (variantKeys.includes(key)) {
        reject({ reason: `duplicate variant ${key} in handle ${handle}`, field: "variants.sku", entityKey: key });
        continue;
      }
      variantKeys.push(key);
      changes.push(
        ...variantChanges(variant, key, values, { title: product.title, handle, names, hasOptions, productTs }, ctx),
      );
    }

    const productStatus = status(product.status);
    changes.unshift({
      entityType: "product",
      entityKey: handle,
      sourceTs: productTs,
      source: PULL_SOURCE,
      attributes: {
        title: product.title,
        ...(product.body_html === undefined ? {} : { description: nonBlank(product.body_html) ?? null }),
        ...(product.vendor === undefined ? {} : { brand: nonBlank(product.vendor) ?? null }),
        ...(product.product_type === undefined ? {} : { productType: nonBlank(product.product_type) ?? null }),
        ...(productStatus ? { status: productStatus } : {}),
        ...(product.tags === undefined
          ? {}
          : {
              tags: (product.tags ?? "")
                .split(",")
                .map((tag) => tag.trim())
                .filter(Boolean),
            }),
        variantKeys,
      },
    });
    // A products/delete webhook names the product id: every record of the product carries it.
    if (product.id !== undefined) {
      const resource = { type: "product" as const, id: String(product.id) };
      return changes.map((change) => ({ ...change, resource }));
    }
    return changes;
  });
