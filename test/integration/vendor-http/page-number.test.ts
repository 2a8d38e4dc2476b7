import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PagingLoopError } from "../../../lambdas/adapters/vendor-http/index.ts";
import type { PullChannelInput } from "../../../lambdas/core/pull/pull-config.ts";
import { FixtureServer, loadExchange, serve, times } from "./fixture-server.ts";
import { harness, invoke, recordsOf, throughJson } from "./harness.ts";

let server: FixtureServer;

beforeEach(async () => {
  server = await FixtureServer.start();
});

afterEach(async () => {
  await server.close();
});

const ids = (records: unknown[]) => records.map((record) => (record as { id: number }).id);

describe("page-number paging (WooCommerce REST)", () => {
  const PATH = "/wp-json/wc/v3/products";
  const woo = () =>
    [1, 2, 3, 4].map((n) =>
      loadExchange(`woocommerce-rest/products.page-${n}${n === 4 ? ".empty" : ""}.json`, server.origin),
    );
  const config = (overrides: Partial<PullChannelInput> = {}): PullChannelInput => ({
    baseUrl: server.origin,
    path: PATH,
    secretName: "woo-keys",
    auth: { type: "basic" },
    request: { query: { orderby: "id", order: "asc" } },
    paging: {
      style: "page-number",
      param: "page",
      pageSizeParam: "per_page",
      pageSize: 2,
      totalPagesHeader: "X-WP-TotalPages",
    },
    recordsPath: "$",
    // WooCommerce reads modified_after in the site's zone unless dates_are_gmt=true.
    incremental: { param: "modified_after", format: "iso-8601-local", timeZone: "UTC", lookbackSeconds: 300 },
    format: "woocommerce-rest",
    ...overrides,
  });

  it("counts pages up to X-WP-TotalPages without asking past the end", async () => {
    const pages = woo();
    server.route(serve(pages));
    const { pages: got, result } = await invoke(harness(config()), undefined, {
      watermark: Date.parse("2025-03-01T00:05:00Z"),
    });
    expect(ids(recordsOf(got))).toEqual([44, 45, 46, 47, 48]);
    expect(result).toMatchObject({ status: "complete", totalPages: 3 });
    const requests = server.requestsTo(PATH);
    expect(requests.map((request) => request.url.searchParams.get("page"))).toEqual(["1", "2", "3"]);
    expect(requests[0]?.url.searchParams.get("modified_after")).toBe("2025-03-01T00:00:00");
    expect(requests[0]?.headers.authorization).toBe(pages[0]?.request.headers?.Authorization);
  });

  it("ends quietly on an empty page (200 with [])", async () => {
    const pages = woo();
    const empty = pages[3]?.response;
    if (!empty) throw new Error("fixture");
    // The catalogue shrank during the crawl: page 3 is now past the end.
    server.route((request) => (request.url.searchParams.get("page") === "3" ? empty : undefined), serve(pages));
    const { pages: got, result } = await invoke(harness(config()), undefined, {
      watermark: Date.parse("2025-03-01T00:05:00Z"),
    });
    expect(ids(recordsOf(got))).toEqual([44, 45, 46, 47]);
    expect(got.at(-1)?.records).toEqual([]);
    expect(result).toMatchObject({ status: "complete", totalRecords: 4 });
  });

  it("stops with a clear error when every page returns the same records", async () => {
    const pages = woo();
    const first = pages[0]?.response;
    if (!first) throw new Error("fixture");
    const ignoresPage = { ...first, headers: { "Content-Type": "application/json" } };
    server.route(() => ignoresPage);
    const attempt = invoke(harness(config()), undefined);
    await expect(attempt).rejects.toBeInstanceOf(PagingLoopError);
    await expect(attempt).rejects.toThrow(/seems to ignore the paging parameter/);
  });
});

describe("page-number paging (BigCommerce catalog)", () => {
  const PATH = "/stores/abc123xyz/v3/catalog/products";
  const config = (): PullChannelInput => ({
    // The store hash is part of the base URL; the path is appended to it.
    baseUrl: `${server.origin}/stores/abc123xyz`,
    path: "/v3/catalog/products",
    secretName: "bigcommerce-token",
    auth: { type: "api-key-header", header: "X-Auth-Token" },
    paging: {
      style: "page-number",
      param: "page",
      pageSizeParam: "limit",
      pageSize: 2,
      totalPagesPath: "meta.pagination.total_pages",
    },
    recordsPath: "data",
    incremental: { param: "date_modified:min", format: "date", lookbackSeconds: 0 },
    format: "bigcommerce-rest",
  });

  it("reads the page count from the body and waits X-Rate-Limit-Time-Reset-Ms after a 429", async () => {
    const pages = [1, 2, 3].map((n) => loadExchange(`bigcommerce-rest/catalog-products.page-${n}.json`, server.origin));
    const tooMany = loadExchange("bigcommerce-rest/catalog-products.429.json", server.origin);
    server.route(
      times(1, (request) => request.url.searchParams.get("page") === "2", tooMany.response),
      serve(pages),
    );
    const h = harness(config());
    const { pages: got, result } = await invoke(h, undefined, { watermark: Date.parse("2025-03-01T00:00:00Z") });
    expect(ids(recordsOf(got))).toEqual([113, 114, 115, 116, 117]);
    expect(result.status).toBe("complete");
    expect(h.sleeps).toEqual([4_178]);
    const requests = server.requestsTo(PATH);
    expect(requests).toHaveLength(4);
    expect(requests[0]?.url.searchParams.get("date_modified:min")).toBe("2025-03-01");
    expect(requests[0]?.headers["x-auth-token"]).toBe("test_NOT_REAL");
  });

  it("pauses when X-Rate-Limit-Requests-Left reaches 0", async () => {
    const pages = [1, 2, 3].map((n) => loadExchange(`bigcommerce-rest/catalog-products.page-${n}.json`, server.origin));
    const [page1] = pages;
    if (!page1) throw new Error("fixture");
    const lastRequest = {
      ...page1.response,
      headers: { ...page1.response.headers, "X-Rate-Limit-Requests-Left": "0", "X-Rate-Limit-Time-Reset-Ms": "1500" },
    };
    server.route(
      times(1, (request) => request.url.searchParams.get("page") === "1", lastRequest),
      serve(pages),
    );
    const h = harness(config());
    await invoke(h, undefined, { watermark: Date.parse("2025-03-01T00:00:00Z") });
    expect(h.sleeps).toEqual([1_500]);
  });

  it("hands over with a checkpoint when the rate-limit window resets too late to wait inside the invocation", async () => {
    const pages = [1, 2, 3].map((n) => loadExchange(`bigcommerce-rest/catalog-products.page-${n}.json`, server.origin));
    const [page1] = pages;
    if (!page1) throw new Error("fixture");
    const exhausted = {
      ...page1.response,
      headers: { ...page1.response.headers, "X-Rate-Limit-Requests-Left": "0", "X-Rate-Limit-Time-Reset-Ms": "28000" },
    };
    server.route(
      times(1, (request) => request.url.searchParams.get("page") === "1", exhausted),
      serve(pages),
    );
    const h = harness(config());
    const first = await invoke(h, undefined, { watermark: Date.parse("2025-03-01T00:00:00Z") });
    expect(first.result).toMatchObject({ status: "partial", reason: "rate-limited", retryAfterMs: 28_000, pages: 1 });
    if (first.result.status !== "partial") throw new Error("expected a checkpoint");
    expect(first.result.checkpoint.next).toEqual({ page: 2 });
    expect(h.sleeps).toEqual([]);
    const rest = await invoke(h, throughJson(first.result.checkpoint));
    expect(ids([...recordsOf(first.pages), ...recordsOf(rest.pages)])).toEqual([113, 114, 115, 116, 117]);
  });
});
