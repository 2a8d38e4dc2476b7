import * as v from "valibot";
import type { ChangeInput } from "../change-input.ts";
import { ValidationError } from "../errors.ts";
import {
  decimalText,
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

const ValueSchema = v.looseObject({
  locale: v.optional(NullableText),
  scope: v.optional(NullableText),
  data: v.unknown(),
});

const ProductSchema = v.looseObject({
  uuid: v.optional(Text),
  identifier: v.optional(NullableText),
  enabled: v.optional(v.boolean()),
  family: v.optional(NullableText),
  categories: v.optional(v.array(Text)),
  updated: Text,
  values: v.optional(v.record(v.string(), v.array(ValueSchema)), {}),
});

const PriceListSchema = v.array(
  v.looseObject({ amount: v.nullable(v.union([Text, v.number()])), currency: v.pipe(Text, v.minLength(3)) }),
);
const MetricSchema = v.looseObject({ amount: v.union([Text, v.number()]), unit: Text });

type Value = v.InferOutput<typeof ValueSchema>;

const WEIGHT_UNITS: Readonly<Record<string, "g" | "kg" | "lb" | "oz">> = {
  GRAM: "g",
  KILOGRAM: "kg",
  POUND: "lb",
  OUNCE: "oz",
};

/** The value for a locale: exact locale, else a non-localised value, else the first one. */
function pick(values: readonly Value[] | undefined, locale: string): Value | undefined {
  if (!values || values.length === 0) return undefined;
  return (
    values.find((value) => value.locale === locale) ??
    values.find((value) => value.locale === null || value.locale === undefined) ??
    values[0]
  );
}

/**
 * Akeneo PIM products (`GET /api/rest/v1/products-uuid`, records at `_embedded.items`).
 *
 * Key: the `sku` attribute, else `identifier`, else the uuid. A `product` change carries the name in
 * the configured locale (else a non-localised or the first one), `enabled` as active/draft, the family
 * as product type, categories and weight (KILOGRAM/GRAM/POUND/OUNCE). Akeneo prices are a list per
 * currency; one `price` record is kept per key, so only the vendor currency's amount is mapped, and a
 * `null` amount (no price set in that currency) produces no price change rather than a zero price.
 * Source time is `updated`.
 *
 * @see https://api.akeneo.com/api-reference.html#Productuuid
 * @see https://api.akeneo.com/concepts/products.html#the-data-format
 */
export const mapAkeneo: PullMapper = (records, ctx): PullMapResult =>
  mapEach(records, (record) => {
    const product = parseRecord(ProductSchema, record, "product");
    const locale = ctx.locale ?? "en_US";
    const skuValue = pick(product.values.sku, locale)?.data;
    const key =
      (typeof skuValue === "string" ? nonBlank(skuValue) : undefined) ?? nonBlank(product.identifier) ?? product.uuid;
    if (!key) {
      throw new ValidationError("product has no sku value, identifier or uuid to key it by", { field: "identifier" });
    }
    const sourceTs = epochMs(product.updated, "updated");
    const name = pick(product.values.name, locale)?.data;
    const description = pick(product.values.description, locale)?.data;
    const weight = pick(product.values.weight, locale)?.data;
    const metric = weight === undefined ? undefined : parseRecord(MetricSchema, weight, "values.weight.data");
    const weightUnit = metric ? WEIGHT_UNITS[metric.unit] : undefined;
    const changes: ChangeInput[] = [
      {
        entityType: "product",
        entityKey: key,
        sourceTs,
        source: PULL_SOURCE,
        attributes: {
          ...(typeof name === "string" ? { title: name } : {}),
          ...(typeof description === "string" ? { description: nonBlank(description) ?? null } : {}),
          ...(product.enabled === undefined ? {} : { status: product.enabled ? "active" : "draft" }),
          ...(product.family === undefined ? {} : { productType: nonBlank(product.family) ?? null }),
          ...(product.categories ? { categories: product.categories } : {}),
          ...(metric && weightUnit ? { weight: String(metric.amount), weightUnit } : {}),
        },
      },
    ];
    const prices = pick(product.values.price, locale)?.data;
    if (prices !== undefined) {
      const currency = ctx.currency.toUpperCase();
      const entry = parseRecord(PriceListSchema, prices, "values.price.data").find(
        (price) => price.currency.toUpperCase() === currency,
      );
      if (entry && entry.amount !== null) {
        changes.push({
          entityType: "price",
          entityKey: key,
          sourceTs,
          source: PULL_SOURCE,
          attributes: { amount: decimalText(entry.amount, currency, "values.price.amount"), currency },
        });
      }
    }
    return changes;
  });
