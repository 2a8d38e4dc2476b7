import * as v from "valibot";
import type { ChangeInput } from "../change-input.ts";
import { ValidationError } from "../errors.ts";
import { shopifyVariantKey } from "../formats/shopify-csv.ts";
import {
  epochMs,
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

const DEFAULT_TITLE = "Default Title";

const VariantSchema = v.looseObject({
  id: v.optional(Text),
  sku: v.optional(NullableText),
  title: v.optional(NullableText),
  price: v.union([Text, v.number()]),
  compareAtPrice: v.optional(v.nullable(v.union([Text, v.number()]))),
  inventoryQuantity: v.optional(v.nullable(v.pipe(v.number(), v.safeInteger()))),
  inventoryPolicy: v.optional(NullableText),
  barcode: v.optional(NullableText),
  selectedOptions: v.optional(v.array(v.looseObject({ name: Text, value: Text }))),
  updatedAt: v.optional(NullableText),
});

const ProductSchema = v.looseObject({
  handle: v.pipe(Text, v.minLength(1)),
  title: Text,
  updatedAt: Text,
  descriptionHtml: v.optional(NullableText),
  vendor: v.optional(NullableText),
  productType: v.optional(NullableText),
  status: v.optional(NullableText),
  tags: v.optional(v.array(Text)),
  variants: v.optional(
    v.looseObject({
      nodes: v.optional(v.array(v.unknown())),
      edges: v.optional(v.array(v.looseObject({ node: v.unknown() }))),
    }),
  ),
});

type Variant = v.InferOutput<typeof VariantSchema>;

/**
 * Option values of a variant: `selectedOptions` (names kept), else its `title` split on `" / "`.
 * @returns `undefined` when the query asked for neither, so the key cannot be built without a SKU.
 */
function options(variant: Variant): { values: string[]; names?: string[] } | undefined {
  const selected = variant.selectedOptions?.filter((option) => option.name !== "Title");
  if (variant.selectedOptions) {
    return {
      values: (selected ?? []).map((option) => option.value),
      names: (selected ?? []).map((option) => option.name),
    };
  }
  if (variant.title === undefined) return undefined;
  const title = nonBlank(variant.title);
  return { values: title && title !== DEFAULT_TITLE ? title.split(" / ") : [] };
}

/** A variant's changes: its own product (when the product has options), price and inventory. */
function variantChanges(
  variant: Variant,
  key: string,
  opts: ReturnType<typeof options>,
  product: {
    readonly title: string;
    readonly handle: string;
    readonly hasOptions: boolean;
    readonly productTs: number;
  },
  ctx: Parameters<PullMapper>[1],
): ChangeInput[] {
  const { handle, hasOptions, productTs } = product;
  const values = opts?.values ?? [];
  const changes: ChangeInput[] = [];
  const sourceTs = variant.updatedAt ? epochMs(variant.updatedAt, "variants.updatedAt") : productTs;
  if (hasOptions && values.length > 0) {
    const named = opts?.names;
    changes.push({
      entityType: "product",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        title: `${product.title} - ${values.join(" / ")}`,
        parentKey: handle,
        ...(named ? { options: Object.fromEntries(named.map((name, n) => [name, values[n] ?? ""])) } : {}),
        ...(variant.barcode === undefined ? {} : { barcode: nonBlank(variant.barcode) ?? null }),
      },
    });
  }
  changes.push(
    ...shopifyOfferChanges(
      key,
      sourceTs,
      {
        price: variant.price,
        compareAtPrice: variant.compareAtPrice,
        compareAtField: "compareAtPrice",
        inventoryQuantity: variant.inventoryQuantity,
        continueSelling: variant.inventoryPolicy ? variant.inventoryPolicy === "CONTINUE" : undefined,
      },
      ctx.currency,
    ),
  );
  return changes;
}

/**
 * Shopify Admin GraphQL products (records at `data.products.edges[*].node` or `data.products.nodes`).
 *
 * Same changes and keys as {@link mapShopifyRest}; variants come from `variants.nodes` or
 * `variants.edges[].node`. A variant without a SKU needs `title` or `selectedOptions { name value }` in
 * the query to be keyed like the CSV import; without them it is rejected (guessing `Default Title`
 * would merge distinct variants). Only the first page of a nested `variants` connection is seen: ask
 * for enough (`variants(first: 100)`).
 *
 * @see https://shopify.dev/docs/api/admin-graphql/latest/objects/Product
 * @see https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant
 */
export const mapShopifyGraphql: PullMapper = (records, ctx): PullMapResult =>
  mapEach(records, (record, _index, reject) => {
    const product = parseRecord(ProductSchema, record, "node");
    const handle = product.handle.trim();
    const productTs = epochMs(product.updatedAt, "updatedAt");
    const rawVariants = product.variants?.nodes ?? product.variants?.edges?.map((edge) => edge.node) ?? [];
    const variants = rawVariants.map((variant, i) => parseRecord(VariantSchema, variant, `variants[${i}]`));
    const hasOptions = variants.some((variant) => (options(variant)?.values.length ?? 0) > 0);
    const changes: ChangeInput[] = [];
    const variantKeys: string[] = [];
    // With a variant left unkeyed the list is incomplete; sending it would clear real variant keys.
    let unkeyed = false;

    variants.forEach((variant, i) => {
      const opts = options(variant);
      if (!nonBlank(variant.sku) && !opts) {
        unkeyed = true;
        reject({
          reason: `variant ${variant.id ?? i} of ${handle} has no SKU, and the query selects neither title nor selectedOptions to key it by`,
          field: `variants[${i}].sku`,
        });
        return;
      }
      const values = opts?.values ?? [];
      const key = shopifyVariantKey(handle, variant.sku, values);
      if (variantKeys.includes(key)) {
        reject({ reason: `duplicate variant ${key} in handle ${handle}`, field: `variants[${i}].sku`, entityKey: key });
        return;
      }
      variantKeys.push(key);
      changes.push(...variantChanges(variant, key, opts, { title: product.title, handle, hasOptions, productTs }, ctx));
    });

    const status = product.status?.toLowerCase();
    if (status !== undefined && status !== "active" && status !== "draft" && status !== "archived") {
      throw new ValidationError(`node.status: unknown product status ${JSON.stringify(product.status)}`, {
        field: "status",
        value: product.status,
      });
    }
    changes.unshift({
      entityType: "product",
      entityKey: handle,
      sourceTs: productTs,
      source: PULL_SOURCE,
      attributes: {
        title: product.title,
        ...(product.descriptionHtml === undefined ? {} : { description: nonBlank(product.descriptionHtml) ?? null }),
        ...(product.vendor === undefined ? {} : { brand: nonBlank(product.vendor) ?? null }),
        ...(product.productType === undefined ? {} : { productType: nonBlank(product.productType) ?? null }),
        ...(status ? { status } : {}),
        ...(product.tags ? { tags: product.tags } : {}),
        ...(unkeyed ? {} : { variantKeys }),
      },
    });
    return changes;
  });
