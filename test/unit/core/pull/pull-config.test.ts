import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../../lambdas/core/errors.ts";
import { type PullChannelInput, PullChannelSchema } from "../../../../lambdas/core/pull/pull-config.ts";
import { parseVendorConfig } from "../../../../lambdas/core/vendor-config.ts";

const shopify: PullChannelInput = {
  baseUrl: "https://partners-demo.myshopify.com",
  path: "/admin/api/2025-10/products.json",
  secretName: "vendor-sync/shopify-demo/admin-token",
  auth: { type: "api-key-header", header: "X-Shopify-Access-Token" },
  request: { query: { limit: "250" } },
  paging: { style: "link-header" },
  recordsPath: "products",
  incremental: { param: "updated_at_min", format: "iso-8601" },
  format: "shopify-rest",
};

const vendor = (pull: unknown) => ({
  id: "shopify-demo",
  name: "Demo",
  entityTypes: ["product", "price", "inventory"],
  defaultCurrency: "USD",
  channels: { pull },
});

const issues = (input: unknown) => {
  try {
    parseVendorConfig(vendor(input), "shopify-demo.json");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((issue) => `${issue.field}: ${issue.message}`);
  }
};

describe("pull channel config", () => {
  it("applies documented defaults", () => {
    const channel = parseVendorConfig(vendor(shopify), "shopify-demo.json").channels.pull;
    expect(channel).toMatchObject({
      request: { query: { limit: "250" }, headers: {} },
      paging: { style: "link-header", rel: "next" },
      incremental: { lookbackSeconds: 300, template: "{value}", timeZone: "UTC" },
      rateLimit: {
        maxInlineWaitSeconds: 10,
        minIntervalMs: 0,
        leakRatePerSecond: 2,
        bucketHeadroom: 2,
        maxThrottledPerPage: 5,
      },
      retry: { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 20_000 },
      pageTimeoutSeconds: 30,
      maxPagesPerInvocation: 100,
      locale: "en_US",
    });
  });

  it("accepts every paging style and auth kind", () => {
    const variants: Partial<PullChannelInput>[] = [
      { paging: { style: "none" }, auth: { type: "none" }, secretName: undefined },
      {
        paging: {
          style: "cursor",
          cursorPath: "data.products.pageInfo.endCursor",
          param: "cursor",
          hasMorePath: "data.products.pageInfo.hasNextPage",
        },
        request: {
          graphql: {
            query: "query Products($cursor: String) { products(first: 50, after: $cursor) { nodes { id } } }",
          },
        },
        recordsPath: "data.products.nodes",
      },
      {
        paging: {
          style: "page-number",
          param: "page",
          pageSizeParam: "per_page",
          pageSize: 100,
          totalPagesHeader: "X-WP-TotalPages",
        },
        auth: { type: "basic" },
      },
      {
        paging: {
          style: "offset",
          param: "offset",
          limitParam: "limit",
          limit: 500,
          totalPath: "total",
          maxOffset: 10_000,
        },
        auth: { type: "bearer" },
      },
      { paging: { style: "search-after" } },
      {
        paging: {
          style: "keyset",
          keyPath: "id",
          param: "where",
          template: 'id > "{value}"',
          limitParam: "limit",
          limit: 500,
        },
        auth: {
          type: "oauth2-client-credentials",
          tokenUrl: "https://auth.europe-west1.gcp.commercetools.com/oauth/token",
          scope: "view_products:demo",
        },
      },
    ];
    for (const variant of variants) {
      expect(issues({ ...shopify, ...variant })).toEqual([]);
    }
  });

  it.each([
    [{ baseUrl: "http://partners-demo.myshopify.com" }, /baseUrl: must use https/],
    [{ baseUrl: "https://user:pw@example.com" }, /baseUrl: must not carry credentials/],
    [{ path: "admin/products.json" }, /path: must start with "\/"/],
    [{ secretName: undefined }, /auth needs a secretName/],
    [{ request: { headers: { Authorization: "Bearer x" } } }, /headers must not carry credentials/],
    [{ recordsPath: "data..products" }, /recordsPath: path "data..products"/],
    [
      { paging: { style: "keyset", keyPath: "id", param: "where", template: "id > x", limitParam: "limit", limit: 2 } },
      /template: must contain the placeholder/,
    ],
    [{ paging: { style: "scroll" } }, /paging/],
    [{ format: "magento" }, /format/],
    [{ incremental: { param: "updated_at_min", format: "iso-8601", timeZone: "Mars/Base" } }, /unknown IANA time zone/],
    [{ auth: { type: "oauth2-client-credentials", tokenUrl: "ftp://x" } }, /tokenUrl/],
    [{ extra: true }, /extra/],
  ] as const)("fails for %j", (change, message) => {
    const found = issues({ ...shopify, ...change });
    expect(found.join("\n")).toMatch(message);
  });

  it("allows plain http only for the local sandbox", () => {
    expect(v.safeParse(PullChannelSchema, { ...shopify, baseUrl: "http://127.0.0.1:8080" }).success).toBe(true);
    expect(v.safeParse(PullChannelSchema, { ...shopify, baseUrl: "http://localhost:8080" }).success).toBe(true);
  });
});

describe("schedules and pull channels", () => {
  it("fails a vendor config with a schedule but nothing to pull", () => {
    expect(() =>
      parseVendorConfig(
        {
          id: "files-only",
          name: "Files only",
          entityTypes: ["price"],
          defaultCurrency: "USD",
          channels: { file: { format: "canonical" } },
          schedule: { expression: "rate(1 hour)" },
        },
        "files-only.json",
      ),
    ).toThrow(/a schedule pulls the vendor: it needs channels.pull or channels.fileDrop/);
  });

  it("fails a channel with resources whose page timeout does not fit the webhook processor", () => {
    const shop = {
      baseUrl: "https://shop.example.com",
      path: "/products.json",
      auth: { type: "none" },
      paging: { style: "none" },
      recordsPath: "products",
      format: "shopify-rest",
      resources: { product: { path: "/products/{id}.json", recordPath: "product" } },
    };
    const config = (pull: Record<string, unknown>) => ({
      id: "shop",
      name: "Shop",
      entityTypes: ["product"],
      defaultCurrency: "USD",
      channels: { pull },
    });
    expect(() => parseVendorConfig(config(shop), "shop.json")).toThrow(/pageTimeoutSeconds must be at most 20/);
    expect(
      parseVendorConfig(config({ ...shop, pageTimeoutSeconds: 15 }), "shop.json").channels.pull?.resources,
    ).toEqual({
      product: { path: "/products/{id}.json", recordPath: "product" },
    });
  });
});
