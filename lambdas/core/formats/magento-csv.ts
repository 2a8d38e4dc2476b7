import type { ChangeInput } from "../change-input.ts";
import { setDataKey } from "../data-keys.ts";
import { ValidationError } from "../errors.ts";
import { cell, NOTHING, type NormalisedRows, type Normaliser, type SourceRow } from "./normaliser.ts";

/** Splits `k=v,k2=a|b` (Magento `additional_attributes`) into a map; `|` separates multi-select values. */
export function parseAdditionalAttributes(text: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!text) return out;
  // A comma only separates pairs when the next pair starts with `code=`; values may hold commas.
  for (const pair of text.split(/,(?=[a-z0-9_]+=)/i)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    setDataKey(out, key, value.includes("|") ? value.split("|").map((v) => v.trim()) : value);
  }
  return out;
}

/** Splits `configurable_variations` (`sku=…,size=…|sku=…`) into the child SKUs. */
export function parseVariationSkus(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split("|")
    .map((entry) => /(?:^|,)sku=([^,]+)/.exec(entry)?.[1]?.trim())
    .filter((sku): sku is string => !!sku);
}

/** Attributes Magento uses for a simple product's options (the rest go to `extra`). */
const OPTION_CODES = new Set(["size", "color"]);
/** Bookkeeping flags that say nothing about the product. */
const IGNORED_CODES = new Set(["has_options", "required_options"]);

/**
 * Magento 2 catalog import/export CSV (`catalog_product` entity): one row per product, configurable
 * parents listing their children in `configurable_variations`. Each row becomes a `product` change,
 * a `price` change and (simple products) an `inventory` change for the same SKU. Rows are independent,
 * so the file can be split anywhere. The file has no usable times: `sourceTs` is the file's as-of time.
 *
 * @see https://experienceleague.adobe.com/en/docs/commerce-admin/systems/data-transfer/data-attributes-product
 */
export class MagentoCsvNormaliser implements Normaliser {
  readonly #weightUnit: string;

  constructor(options: { weightUnit?: string } = {}) {
    this.#weightUnit = options.weightUnit ?? "kg";
  }

  header(columns: readonly string[]): void {
    for (const required of ["sku", "name", "product_type", "price"]) {
      if (!columns.includes(required)) {
        throw new ValidationError(`missing header "${required}" (is this a Magento catalog_product export?)`, {
          field: required,
          line: 1,
        });
      }
    }
  }

  push(row: SourceRow): NormalisedRows {
    const v = row.values;
    const sku = cell(v, "sku");
    if (!sku) return { changes: [], rejects: [{ line: row.line, reason: "missing sku", field: "sku" }] };
    if (cell(v, "store_view_code")) {
      // Store-view rows override labels for one locale; the default scope row carries the product.
      return NOTHING;
    }
    const line = row.line;
    const type = cell(v, "product_type");
    const extra = parseAdditionalAttributes(cell(v, "additional_attributes"));
    const options: Record<string, string> = {};
    for (const [code, value] of Object.entries(extra)) {
      if (OPTION_CODES.has(code) && typeof value === "string") options[code] = value;
      if (OPTION_CODES.has(code) || IGNORED_CODES.has(code)) delete extra[code];
    }
    const images = [cell(v, "base_image"), ...(cell(v, "additional_images")?.split(",") ?? [])]
      .map((image) => image?.trim())
      .filter((image, i, all): image is string => !!image && all.indexOf(image) === i);
    const product: Record<string, unknown> = {
      title: cell(v, "name") ?? null,
      description: cell(v, "description") ?? null,
      shortDescription: cell(v, "short_description") ?? null,
      productType: type ?? null,
      status: cell(v, "product_online") === "0" ? "draft" : "active",
      categories:
        cell(v, "categories")
          ?.split(",")
          .map((path) => path.trim())
          .filter(Boolean) ?? [],
      images,
      urlKey: cell(v, "url_key") ?? null,
      weight: cell(v, "weight") ?? null,
      weightUnit: cell(v, "weight") ? this.#weightUnit : null,
    };
    if (Object.keys(options).length > 0) product.options = options;
    if (Object.keys(extra).length > 0) product.extra = extra;
    const variants = parseVariationSkus(cell(v, "configurable_variations"));
    if (variants.length > 0) product.variantKeys = variants;
    const changes: ChangeInput[] = [{ entityType: "product", entityKey: sku, attributes: product, line }];

    const price = cell(v, "price");
    const special = cell(v, "special_price");
    if (price !== undefined) {
      changes.push({
        entityType: "price",
        entityKey: sku,
        attributes: special ? { amount: special, compareAtAmount: price } : { amount: price, compareAtAmount: null },
        line,
      });
    }
    const qty = cell(v, "qty");
    if (type !== "configurable" && qty !== undefined) {
      // Magento exports quantities as decimals ("100.0000"); whole units only unless is_qty_decimal.
      const whole = /^[+-]?\d+(\.0+)?$/.test(qty) ? qty.replace(/\.0+$/, "") : qty;
      changes.push({
        entityType: "inventory",
        entityKey: sku,
        attributes: { available: whole, backorders: cell(v, "allow_backorders") === "1" ? "allow" : "deny" },
        line,
      });
    }
    return { changes, rejects: [] };
  }

  flush(): NormalisedRows {
    return NOTHING;
  }
}
