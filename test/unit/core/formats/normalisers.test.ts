import { describe, expect, it } from "vitest";
import type { ChangeInput } from "../../../../lambdas/core/change-input.ts";
import { ValidationError } from "../../../../lambdas/core/errors.ts";
import { createNormaliser, type FileItem } from "../../../../lambdas/core/formats/index.ts";
import { parseAdditionalAttributes, parseVariationSkus } from "../../../../lambdas/core/formats/magento-csv.ts";
import { shopifyVariantKey } from "../../../../lambdas/core/formats/shopify-csv.ts";
import { readAll, readText } from "../../../support/files.ts";

function normalise(
  format: "magento-csv" | "shopify-csv" | "canonical",
  items: FileItem[],
  syntax: "csv" | "jsonl" = "csv",
) {
  const normaliser = createNormaliser(format, syntax);
  const changes: ChangeInput[] = [];
  const rejects: { line: number; reason: string }[] = [];
  for (const item of items) {
    if (item.kind === "header") normaliser.header(item.columns);
    if (item.kind === "row") {
      const out = normaliser.push(item.row);
      changes.push(...out.changes);
      rejects.push(...out.rejects);
    }
  }
  const rest = normaliser.flush();
  changes.push(...rest.changes);
  rejects.push(...rest.rejects);
  return { changes, rejects };
}

describe("Magento catalog CSV", () => {
  it("turns the Luma sample into product, price and inventory changes with nothing rejected", async () => {
    const { changes, rejects } = normalise(
      "magento-csv",
      await readAll("examples/magento-luma/configurable_products.csv"),
    );
    expect(rejects).toEqual([]);
    const byType = Object.groupBy(changes, (c) => c.entityType);
    expect(byType.product).toHaveLength(1994);
    expect(byType.price).toHaveLength(1994);
    // Configurable parents carry no stock of their own.
    expect(byType.inventory).toHaveLength(1847);
  });

  it("maps a simple child with its options, categories and extra attributes", async () => {
    const { changes } = normalise("magento-csv", await readAll("examples/magento-luma/configurable_products.csv"));
    const hoodie = changes.filter((c) => c.entityKey === "MH01-XS-Black");
    expect(hoodie.map((c) => c.entityType)).toEqual(["product", "price", "inventory"]);
    expect(hoodie[0]?.attributes).toMatchObject({
      title: "Chaz Kangeroo Hoodie-XS-Black",
      options: { size: "XS", color: "Black" },
      categories: [
        "Default Category/Men/Tops/Hoodies & Sweatshirts",
        "Default Category/Collections/Eco Friendly",
        "Default Category",
      ],
      status: "active",
      weight: "1",
    });
    expect(hoodie[1]?.attributes).toEqual({ amount: "52", compareAtAmount: null });
    expect(hoodie[2]?.attributes).toEqual({ available: "100", backorders: "deny" });
    expect(hoodie[0]?.line).toBe(2);
  });

  it("lists a configurable parent's children and keeps multi-line HTML", async () => {
    const { changes } = normalise("magento-csv", await readAll("examples/magento-luma/configurable_products.csv"));
    const parent = changes.find((c) => c.entityKey === "WSH12" && c.entityType === "product");
    expect(parent?.attributes?.variantKeys).toContain("WSH12-28-Green");
    expect(parent?.attributes?.extra).toMatchObject({
      style_bottom: ["Basic", "Snug"],
      material: ["Organic Cotton", "Polyester", "Spandex"],
      erin_recommends: "Yes",
    });
    expect(parent?.attributes?.extra).not.toHaveProperty("has_options");
    expect(String(parent?.attributes?.description)).toContain("\n");
  });

  it("parses additional_attributes and configurable_variations cells", () => {
    expect(parseAdditionalAttributes("has_options=1,climate=All-Weather|Cool,material=Cotton, Wool")).toEqual({
      has_options: "1",
      climate: ["All-Weather", "Cool"],
      material: "Cotton, Wool",
    });
    expect(parseVariationSkus("sku=A-1,size=S|sku=A-2,size=M|")).toEqual(["A-1", "A-2"]);
  });

  it("fails on a file without the Magento headers, naming the header", async () => {
    expect(() => normalise("magento-csv", [{ kind: "header", columns: ["Handle", "Title"] }])).toThrow(
      /missing header "sku"/,
    );
  });
});

describe("Shopify product CSV export", () => {
  it("folds continuation and image-only rows into one product per handle", async () => {
    const { changes, rejects } = normalise(
      "shopify-csv",
      await readAll("examples/shopify-demo/products_export_2025-03-01.csv"),
    );
    expect(rejects).toEqual([]);
    const varsity = changes.find((c) => c.entityType === "product" && c.entityKey === "classic-varsity-top");
    expect(varsity?.attributes).toMatchObject({
      title: "Classic Varsity Top",
      brand: "partners-demo",
      tags: ["women"],
      variantKeys: ["CVT-SM-GRY", "classic-varsity-top/Medium", "classic-varsity-top/Large"],
    });
    expect(varsity?.attributes?.images).toHaveLength(4);
    // Body HTML keeps its quoted line breaks, NBSP and U+2028.
    expect(String(varsity?.attributes?.description)).toMatch(/Cotton\u00a0blend[\s\S]*wash\u2028cold/);
  });

  it("keys variants without a SKU by handle and option values, as the Shopify APIs title them", () => {
    expect(shopifyVariantKey("tee", "", ["Small", "Red", null])).toBe("tee/Small / Red");
    expect(shopifyVariantKey("tee", null, [])).toBe("tee/Default Title");
    expect(shopifyVariantKey("tee", " TEE-1 ", ["Small"])).toBe("TEE-1");
  });

  it("reads Cost per item when the export has the column, and leaves cost alone when it has not", async () => {
    const withCost = normalise("shopify-csv", await readAll("examples/shopify-demo/products_export_2025-03-01.csv"));
    const without = normalise("shopify-csv", await readAll("examples/shopify-demo/products_export_2025-03-08.csv"));
    const price = (r: typeof withCost, key: string) =>
      r.changes.find((c) => c.entityType === "price" && c.entityKey === key)?.attributes;
    expect(price(withCost, "CVT-SM-GRY")).toEqual({ amount: "60", compareAtAmount: null, costAmount: "22" });
    expect(price(without, "CVT-SM-GRY")).toEqual({ amount: "54.00", compareAtAmount: null });
  });

  it("rejects rows of a handle that start without the product's first row", async () => {
    const items = await readText(
      "Handle,Title,Variant Price,Option1 Value,Image Src\r\na,Alpha,1,Default Title,\r\nb,Beta,2,Default Title,\r\na,,3,Large,",
    );
    const { rejects } = normalise("shopify-csv", items);
    expect(rejects).toEqual([expect.objectContaining({ line: 4, field: "Title", entityKey: "a" })]);
  });
});

describe("canonical format", () => {
  it("reads CSV envelope and attribute columns: empty = absent, null = clear, JSON lists", async () => {
    const items = await readText(
      'entityType,entityKey,sourceTs,sourceVersion,attributes.title,attributes.tags,attributes.brand\nproduct,A,2026-11-01T00:00:00Z,3,Bag,"[""gym""]",null\nproduct,B,,,Pack,,\n',
    );
    const { changes } = normalise("canonical", items);
    expect(changes).toEqual([
      {
        line: 2,
        entityType: "product",
        entityKey: "A",
        sourceTs: "2026-11-01T00:00:00Z",
        sourceVersion: 3,
        attributes: { title: "Bag", tags: ["gym"], brand: null },
      },
      { line: 3, entityType: "product", entityKey: "B", attributes: { title: "Pack" } },
    ]);
  });

  it("fails on an unknown CSV header, naming it", () => {
    expect(() => normalise("canonical", [{ kind: "header", columns: ["entityType", "entityKey", "title"] }])).toThrow(
      ValidationError,
    );
  });

  it("passes JSON Lines objects through with their line", async () => {
    const { changes } = normalise("canonical", await readAll("examples/canonical/01-baseline.jsonl"), "jsonl");
    expect(changes).toHaveLength(9);
    expect(changes[4]).toMatchObject({
      entityKey: "24-MB04",
      line: 5,
      attributes: { amount: "4800", currency: "JPY" },
    });
  });
});
