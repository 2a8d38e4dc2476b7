import type { ChangeInput } from "../change-input.ts";
import { setDataKey } from "../data-keys.ts";
import { ValidationError } from "../errors.ts";
import { cell, NOTHING, type NormalisedRows, type Normaliser, type RowReject, type SourceRow } from "./normaliser.ts";

/** The title Shopify gives the only variant of a product without options. */
const DEFAULT_VARIANT_TITLE = "Default Title";

/**
 * Key of a Shopify variant: its SKU when it has one, else `handle/option values` (`"tee/Small / Red"`),
 * which is also the variant title Shopify's APIs report. Exported so the webhook and pull mappers key
 * variants exactly as the CSV import does.
 */
export function shopifyVariantKey(
  handle: string,
  sku: string | null | undefined,
  optionValues: readonly (string | null | undefined)[],
): string {
  const trimmedSku = sku?.trim();
  if (trimmedSku) return trimmedSku;
  const values = optionValues.map((value) => value?.trim()).filter((value): value is string => !!value);
  return `${handle}/${values.length > 0 ? values.join(" / ") : DEFAULT_VARIANT_TITLE}`;
}

interface Group {
  readonly handle: string;
  readonly line: number;
  first?: SourceRow;
  readonly variants: SourceRow[];
  readonly images: { src: string; position: number; line: number }[];
}

/**
 * Shopify's product CSV export: one product spans consecutive rows with the same `Handle`. The first
 * row carries Title, Body and option names; every row with a `Variant Price` is a variant; rows with
 * only `Image Src`/`Image Position` are extra images. The optional `Cost per item` column appears in
 * some exports and not others.
 *
 * Each product becomes one `product` change (key: handle), and each variant a `price` and an
 * `inventory` change (key: {@link shopifyVariantKey}) plus, for products with options, a variant
 * `product` change pointing at its parent.
 *
 * @see https://help.shopify.com/en/manual/products/import-export/using-csv
 */
export class ShopifyCsvNormaliser implements Normaliser {
  #group: Group | undefined;
  #hasCost = false;
  #hasStatus = false;

  header(columns: readonly string[]): void {
    for (const required of ["Handle", "Title", "Variant Price"]) {
      if (!columns.includes(required)) {
        throw new ValidationError(`missing header "${required}" (is this a Shopify product export?)`, {
          field: required,
          line: 1,
        });
      }
    }
    this.#hasCost = columns.includes("Cost per item");
    this.#hasStatus = columns.includes("Status");
  }

  push(row: SourceRow): NormalisedRows {
    const handle = cell(row.values, "Handle");
    if (!handle) {
      return { changes: [], rejects: [{ line: row.line, reason: "missing Handle", field: "Handle" }] };
    }
    let released: NormalisedRows = NOTHING;
    if (this.#group?.handle !== handle) {
      released = this.flush();
      this.#group = { handle, line: row.line, variants: [], images: [] };
    }
    const group = this.#group as Group;
    if (!group.first && cell(row.values, "Title")) group.first = row;
    const image = cell(row.values, "Image Src");
    if (image) {
      group.images.push({ src: image, position: Number(cell(row.values, "Image Position") ?? 1e9), line: row.line });
    }
    if (cell(row.values, "Variant Price") !== undefined || cell(row.values, "Option1 Value") !== undefined) {
      group.variants.push(row);
    }
    return released;
  }

  flush(): NormalisedRows {
    const group = this.#group;
    this.#group = undefined;
    if (!group) return NOTHING;
    const rejects: RowReject[] = [];
    const first = group.first;
    if (!first) {
      return {
        changes: [],
        rejects: [
          {
            line: group.line,
            entityKey: group.handle,
            field: "Title",
            reason: `rows for handle ${group.handle} start without the product's first row (Title); rows of one product must be adjacent`,
          },
        ],
      };
    }
    const f = first.values;
    const optionNames = [cell(f, "Option1 Name"), cell(f, "Option2 Name"), cell(f, "Option3 Name")];
    const hasOptions = optionNames.some((name) => name && name !== "Title");
    const title = cell(f, "Title") as string;
    const variantKeys: string[] = [];
    const changes: ChangeInput[] = [];

    for (const variant of group.variants) {
      const v = variant.values;
      const values = [cell(v, "Option1 Value"), cell(v, "Option2 Value"), cell(v, "Option3 Value")];
      const key = shopifyVariantKey(group.handle, cell(v, "Variant SKU"), values);
      if (variantKeys.includes(key)) {
        rejects.push({
          line: variant.line,
          entityKey: key,
          field: "Variant SKU",
          reason: `duplicate variant ${key} in handle ${group.handle}`,
        });
        continue;
      }
      variantKeys.push(key);
      changes.push(
        ...this.#variantChanges(variant, key, values, { title, handle: group.handle, hasOptions, optionNames }),
      );
    }

    changes.unshift(this.#productChange(group, first, variantKeys));
    return { changes, rejects };
  }

  /** A variant row's changes: its own product (when the product has options), price and inventory. */
  #variantChanges(
    variant: SourceRow,
    key: string,
    values: readonly (string | undefined)[],
    product: { title: string; handle: string; hasOptions: boolean; optionNames: readonly (string | undefined)[] },
  ): ChangeInput[] {
    const { title, hasOptions, optionNames } = product;
    const v = variant.values;
    const changes: ChangeInput[] = [];
    const line = variant.line;
    if (hasOptions) {
      const options: Record<string, string> = {};
      optionNames.forEach((name, i) => {
        const value = values[i];
        if (name && value) setDataKey(options, name, value);
      });
      const grams = cell(v, "Variant Grams");
      changes.push({
        entityType: "product",
        entityKey: key,
        line,
        attributes: {
          title: `${title} - ${values.filter(Boolean).join(" / ")}`,
          parentKey: product.handle,
          options,
          barcode: cell(v, "Variant Barcode") ?? null,
          weight: grams ?? null,
          weightUnit: grams ? "g" : null,
        },
      });
    }
    const price = cell(v, "Variant Price");
    if (price !== undefined) {
      changes.push({
        entityType: "price",
        entityKey: key,
        line,
        attributes: {
          amount: price,
          compareAtAmount: cell(v, "Variant Compare At Price") ?? null,
          ...(this.#hasCost ? { costAmount: cell(v, "Cost per item") ?? null } : {}),
        },
      });
    }
    const qty = cell(v, "Variant Inventory Qty");
    if (qty !== undefined) {
      const policy = cell(v, "Variant Inventory Policy");
      changes.push({
        entityType: "inventory",
        entityKey: key,
        line,
        attributes: { available: qty, ...(policy ? { backorders: policy === "continue" ? "allow" : "deny" } : {}) },
      });
    }
    return changes;
  }

  /** The product's own change, from its first row, with its images and variant keys. */
  #productChange(group: Group, first: SourceRow, variantKeys: string[]): ChangeInput {
    const f = first.values;
    const status = this.#hasStatus ? cell(f, "Status")?.toLowerCase() : undefined;
    const title = cell(f, "Title") as string;
    const published = cell(f, "Published")?.toLowerCase();
    return {
      entityType: "product",
      entityKey: group.handle,
      line: first.line,
      attributes: {
        title,
        description: cell(f, "Body (HTML)") ?? null,
        brand: cell(f, "Vendor") ?? null,
        productType: cell(f, "Type") ?? null,
        tags:
          cell(f, "Tags")
            ?.split(",")
            .map((tag) => tag.trim())
            .filter(Boolean) ?? [],
        status:
          status === "active" || status === "draft" || status === "archived"
            ? status
            : published === "false"
              ? "draft"
              : "active",
        images: group.images.sort((a, b) => a.position - b.position || a.line - b.line).map((image) => image.src),
        variantKeys,
      },
    };
  }
}
