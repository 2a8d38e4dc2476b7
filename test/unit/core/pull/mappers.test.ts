import { describe, expect, it } from "vitest";
import { toChange } from "../../../../lambdas/core/change.ts";
import type { ChangeInput } from "../../../../lambdas/core/change-input.ts";
import { ValidationError } from "../../../../lambdas/core/errors.ts";
import { mapPullRecords, mapWooCommerceVariations } from "../../../../lambdas/core/pull/index.ts";
import { decimalText } from "../../../../lambdas/core/pull/mapping.ts";
import { exchange } from "./fixtures.ts";

const USD = { currency: "USD" };
const body = (path: string) => exchange(path).response.body as Record<string, unknown>;
const byKey = (changes: ChangeInput[], entityType: string, key: string) =>
  changes.find((change) => change.entityType === entityType && change.entityKey === key);

/** Every mapped change must be a valid canonical change (money parsed from text, times, keys). */
function canonical(changes: ChangeInput[], currency = "USD") {
  return changes.map((change) =>
    toChange(change, {
      vendorId: "demo",
      jobId: "job-1",
      workflow: "scheduled",
      defaultSource: "internal",
      defaultCurrency: currency,
    }),
  );
}

describe("shopify-rest", () => {
  const page1 = body("shopify-rest/products.page-1.json").products as unknown[];

  it("maps products by handle and variants by SKU, else handle/option values, else handle/Default Title", () => {
    const { changes, rejects } = mapPullRecords("shopify-rest", page1, USD);
    expect(rejects).toEqual([]);
    expect(byKey(changes, "product", "classic-varsity-top")).toEqual({
      entityType: "product",
      entityKey: "classic-varsity-top",
      sourceTs: Date.parse("2025-03-11T05:15:01Z"),
      source: "vendor:pull",
      attributes: {
        title: "Classic Varsity Top",
        brand: "partners-demo",
        productType: null,
        status: "active",
        tags: ["women"],
        variantKeys: ["CVT-SM-GRY", "classic-varsity-top/Medium", "classic-varsity-top/Large"],
      },
      // The product id, which a products/delete webhook names: every record of the product carries it.
      resource: { type: "product", id: "8820432011521" },
    });
    expect(byKey(changes, "product", "ocean-blue-shirt")?.attributes?.variantKeys).toEqual([
      "ocean-blue-shirt/Default Title",
    ]);
    expect(byKey(changes, "product", "classic-varsity-top/Medium")?.attributes).toEqual({
      title: "Classic Varsity Top - Medium",
      parentKey: "classic-varsity-top",
    });
    // A product without options has no variant product record, as in the CSV import.
    expect(byKey(changes, "product", "ocean-blue-shirt/Default Title")).toBeUndefined();
  });

  it("keeps money as decimal text and maps stock with its policy", () => {
    const { changes } = mapPullRecords("shopify-rest", page1, USD);
    expect(byKey(changes, "price", "CVT-SM-GRY")?.attributes).toEqual({ amount: "60.00", compareAtAmount: null });
    expect(byKey(changes, "inventory", "classic-varsity-top/Large")?.attributes).toEqual({
      available: 3,
      backorders: "deny",
    });
    const price = canonical(changes).find(
      (change) => change.entityType === "price" && change.entityKey === "CVT-SM-GRY",
    );
    expect(price?.attributes).toEqual({ amount: 6000, compareAtAmount: null, currency: "USD" });
    expect(price?.source).toBe("vendor:pull");
  });

  it("keeps negative stock", () => {
    const { changes } = mapPullRecords(
      "shopify-rest",
      body("shopify-rest/products.page-3.json").products as unknown[],
      USD,
    );
    expect(byKey(changes, "inventory", "striped-silk-blouse/Default Title")?.attributes?.available).toBe(-2);
  });

  it("names options and rejects only the variant whose key repeats", () => {
    const product = {
      handle: "tee",
      title: "Tee",
      updated_at: "2025-03-01T00:00:00Z",
      options: [{ name: "Size" }, { name: "Color" }],
      variants: [
        { title: "S / Red", option1: "S", option2: "Red", sku: "", price: "10.00", inventory_quantity: 1 },
        { title: "S / Red", option1: "S", option2: "Red", sku: null, price: "10.00" },
      ],
    };
    const { changes, rejects } = mapPullRecords("shopify-rest", [product], USD);
    expect(byKey(changes, "product", "tee/S / Red")?.attributes?.options).toEqual({ Size: "S", Color: "Red" });
    expect(rejects).toEqual([
      {
        index: 0,
        reason: "duplicate variant tee/S / Red in handle tee",
        field: "variants.sku",
        entityKey: "tee/S / Red",
      },
    ]);
  });

  it("rejects a record without a handle, keeping the rest of the page", () => {
    const { changes, rejects } = mapPullRecords("shopify-rest", [{ title: "x" }, page1[0]], USD);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ index: 0, field: "handle" });
    expect(changes.length).toBeGreaterThan(0);
  });

  it("produces changes every page of the fixture accepts", () => {
    for (const page of [1, 2, 3]) {
      const records = body(`shopify-rest/products.page-${page}.json`).products as unknown[];
      const { changes } = mapPullRecords("shopify-rest", records, USD);
      expect(() => canonical(changes)).not.toThrow();
    }
  });
});

describe("shopify-graphql", () => {
  const nodes = (page: number) =>
    (
      body(`shopify-graphql/products.page-${page}.json`).data as { products: { edges: { node: unknown }[] } }
    ).products.edges.map((edge) => edge.node);

  it("keys variants with a SKU and rejects SKU-less ones the query cannot key", () => {
    const { changes, rejects } = mapPullRecords("shopify-graphql", nodes(1), USD);
    expect(byKey(changes, "price", "CVT-SM-GRY")?.attributes).toEqual({ amount: "60.00" });
    expect(byKey(changes, "inventory", "CVT-SM-GRY")?.attributes).toEqual({ available: 12 });
    expect(rejects.map((reject) => reject.index)).toEqual([0, 1, 1]);
    expect(rejects[0]?.reason).toMatch(/neither title nor selectedOptions/);
    // An incomplete variant list is left alone rather than cleared.
    expect(byKey(changes, "product", "classic-varsity-top")?.attributes).not.toHaveProperty("variantKeys");
    expect(byKey(changes, "product", "classic-varsity-top")?.sourceTs).toBe(Date.parse("2025-03-11T05:15:01Z"));
  });

  it("keys variants from selectedOptions like the CSV import", () => {
    const node = {
      handle: "classic-varsity-top",
      title: "Classic Varsity Top",
      updatedAt: "2025-03-11T05:15:01Z",
      status: "ACTIVE",
      variants: {
        nodes: [
          { sku: "", price: "60.00", inventoryQuantity: 0, selectedOptions: [{ name: "Size", value: "Medium" }] },
          { sku: null, price: "60.00", inventoryQuantity: 3, inventoryPolicy: "CONTINUE", title: "Large" },
        ],
      },
    };
    const { changes, rejects } = mapPullRecords("shopify-graphql", [node], USD);
    expect(rejects).toEqual([]);
    expect(byKey(changes, "product", "classic-varsity-top")?.attributes).toMatchObject({
      status: "active",
      variantKeys: ["classic-varsity-top/Medium", "classic-varsity-top/Large"],
    });
    expect(byKey(changes, "product", "classic-varsity-top/Medium")?.attributes?.options).toEqual({ Size: "Medium" });
    expect(byKey(changes, "inventory", "classic-varsity-top/Large")?.attributes).toEqual({
      available: 3,
      backorders: "allow",
    });
  });
});

describe("woocommerce-rest", () => {
  const items = (page: number) => exchange(`woocommerce-rest/products.page-${page}.json`).response.body as unknown[];

  it("maps variable parents to a product only (their price lives on the variations)", () => {
    const { changes, rejects } = mapPullRecords("woocommerce-rest", items(1), USD);
    expect(rejects).toEqual([]);
    expect(changes.map((change) => `${change.entityType}:${change.entityKey}`)).toEqual([
      "product:woo-vneck-tee",
      "product:woo-hoodie",
    ]);
    expect(byKey(changes, "product", "woo-hoodie")).toMatchObject({
      sourceTs: Date.parse("2025-03-11T10:00:00Z"), // date_modified_gmt, not the site-local date_modified
      attributes: { title: "Hoodie", productType: "variable", status: "active", categories: ["Hoodies"] },
    });
  });

  it("maps simple products' price, stock and backorders, negative stock included", () => {
    const { changes } = mapPullRecords("woocommerce-rest", items(2), USD);
    expect(byKey(changes, "price", "woo-hoodie-with-logo")?.attributes).toEqual({
      amount: "45",
      compareAtAmount: null,
    });
    expect(byKey(changes, "inventory", "woo-tshirt")?.attributes).toEqual({ available: -3, backorders: "notify" });
  });

  it("uses the sale price while on sale, with the regular price as compare-at", () => {
    const { changes } = mapPullRecords("woocommerce-rest", items(3), USD);
    expect(byKey(changes, "price", "woo-beanie")?.attributes).toEqual({ amount: "18", compareAtAmount: "20" });
    expect(canonical(changes).find((change) => change.entityType === "price")?.attributes).toEqual({
      amount: 1800,
      compareAtAmount: 2000,
      currency: "USD",
    });
  });

  it("maps the variations of a variable product", () => {
    const variations = exchange("woocommerce-rest/products.variations-45.json").response.body as unknown[];
    const { changes, rejects } = mapWooCommerceVariations(
      { id: 45, sku: "woo-hoodie", name: "Hoodie" },
      variations,
      USD,
    );
    expect(rejects).toEqual([]);
    expect(byKey(changes, "product", "woo-hoodie-red")?.attributes).toEqual({
      title: "Hoodie - Red / No",
      parentKey: "woo-hoodie",
      options: { Color: "Red", Logo: "No" },
    });
    expect(byKey(changes, "price", "woo-hoodie-red")?.attributes).toEqual({ amount: "42", compareAtAmount: "45" });
    expect(byKey(changes, "price", "woo-hoodie-green")?.attributes).toEqual({ amount: "45", compareAtAmount: null });
    expect(byKey(changes, "inventory", "woo-hoodie-red")).toBeUndefined();
    expect(() => canonical(changes)).not.toThrow();
  });

  it("falls back to the id when there is no SKU", () => {
    const { changes } = mapPullRecords(
      "woocommerce-rest",
      [{ id: 99, sku: "", name: "No SKU", date_modified_gmt: "2025-03-01T00:00:00" }],
      USD,
    );
    expect(changes[0]?.entityKey).toBe("99");
  });
});

describe("bigcommerce-rest", () => {
  const data = (page: number) => body(`bigcommerce-rest/catalog-products.page-${page}.json`).data as unknown[];

  it("turns float prices into exact decimal text", () => {
    const { changes, rejects } = mapPullRecords("bigcommerce-rest", data(1), USD);
    expect(rejects).toEqual([]);
    expect(byKey(changes, "price", "24-MB01")?.attributes).toEqual({
      amount: "34.00",
      compareAtAmount: null,
      costAmount: null,
    });
    expect(byKey(changes, "inventory", "24-MB04")?.attributes).toEqual({ available: 0 });
    expect(byKey(changes, "product", "24-MB01")).toMatchObject({
      sourceTs: Date.parse("2025-03-10T00:12:00Z"),
      attributes: { title: "Joust Duffle Bag", status: "active", productType: "physical", categories: ["23", "41"] },
    });
    expect(() => canonical(changes)).not.toThrow();
  });

  it("uses a running sale price and refuses a float that is not an exact decimal", () => {
    const base = { id: 1, name: "x", sku: "S1", date_modified: "2025-03-10T00:12:00+00:00" };
    const { changes, rejects } = mapPullRecords(
      "bigcommerce-rest",
      [
        { ...base, price: 19.9, sale_price: 14.95 },
        { ...base, sku: "S2", price: 0.1 + 0.2 },
      ],
      USD,
    );
    expect(byKey(changes, "price", "S1")?.attributes).toEqual({ amount: "14.95", compareAtAmount: "19.90" });
    expect(rejects).toEqual([
      expect.objectContaining({ index: 1, field: "price", reason: expect.stringMatching(/refusing to round/) }),
    ]);
  });
});

describe("commercetools inventory", () => {
  it("maps available quantity, supply channel and entry version", () => {
    const results = body("commercetools/inventory.page-1.json").results as unknown[];
    const { changes, rejects } = mapPullRecords("commercetools", results, USD);
    expect(rejects).toEqual([]);
    expect(changes[0]).toEqual({
      entityType: "inventory",
      entityKey: "24-MB01",
      sourceTs: Date.parse("2025-03-14T00:00:00.000Z"),
      sourceVersion: 3,
      source: "vendor:pull",
      attributes: { available: 95, locationId: "c3a1f0e2-5b7d-4e9c-8a6f-2d4b1c0e9f73" },
    });
    expect(() => canonical(changes)).not.toThrow();
  });
});

describe("akeneo", () => {
  const items = (page: number) =>
    (body(`akeneo/products-uuid.page-${page}.json`)._embedded as { items: unknown[] }).items;

  it("maps the product in the configured locale and the vendor currency's price", () => {
    const { changes, rejects } = mapPullRecords("akeneo", items(1), USD);
    expect(rejects).toEqual([]);
    expect(byKey(changes, "product", "24-MB01")).toMatchObject({
      sourceTs: Date.parse("2025-03-14T09:26:52Z"),
      attributes: {
        title: "Joust Duffle Bag",
        status: "active",
        productType: "bags",
        categories: ["gear_bags"],
        weight: "1.2000",
        weightUnit: "kg",
      },
    });
    expect(byKey(changes, "product", "24-MB04")?.attributes?.status).toBe("draft");
    expect(byKey(changes, "price", "24-MB01")?.attributes).toEqual({ amount: "34.00", currency: "USD" });
    expect(() => canonical(changes)).not.toThrow();
  });

  it("makes no price change for a currency whose amount is null", () => {
    const usd = mapPullRecords("akeneo", items(2), USD);
    expect(byKey(usd.changes, "price", "24-MB03")).toBeUndefined();
    const eur = mapPullRecords("akeneo", items(2), { currency: "EUR", locale: "de_DE" });
    expect(byKey(eur.changes, "price", "24-MB03")?.attributes).toEqual({ amount: "35.50", currency: "EUR" });
    expect(byKey(eur.changes, "product", "24-MB03")?.attributes?.title).toBe("Crown Summit Rucksack");
  });
});

describe("canonical", () => {
  it("passes canonical records through with the pull source and rejects invalid ones", () => {
    const { changes, rejects } = mapPullRecords(
      "canonical",
      [
        { entityType: "price", entityKey: "A-1", sourceTs: "2025-03-01T00:00:00Z", attributes: { amount: "1.00" } },
        { entityType: "widget", entityKey: "A-2" },
      ],
      USD,
    );
    expect(changes).toEqual([
      {
        entityType: "price",
        entityKey: "A-1",
        sourceTs: "2025-03-01T00:00:00Z",
        attributes: { amount: "1.00" },
        source: "vendor:pull",
      },
    ]);
    expect(rejects).toEqual([expect.objectContaining({ index: 1, field: "entityType" })]);
  });
});

describe("decimalText", () => {
  it.each([
    [34, "USD", "34.00"],
    [19.9, "USD", "19.90"],
    [0.5, "EUR", "0.50"],
    [1500, "JPY", "1500"],
    [1.5, "KWD", "1.500"],
    [12.345, "USD", "12.345"], // more places than USD has: left for parseMoney to refuse, not rounded here
    [-3, "USD", "-3.00"],
    [" 60.00 ", "USD", "60.00"],
  ] as const)("%s %s → %s", (value, currency, expected) => {
    expect(decimalText(value, currency)).toBe(expected);
  });

  it.each([0.1 + 0.2, 1e21, 1e-7, Number.NaN, Number.POSITIVE_INFINITY])("fails for %s", (value) => {
    expect(() => decimalText(value, "USD")).toThrow(ValidationError);
  });
});
