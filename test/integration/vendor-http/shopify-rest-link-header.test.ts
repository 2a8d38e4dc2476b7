import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CheckpointMismatchError,
  type PullCheckpoint,
  VendorHttpError,
  VendorUnavailableError,
} from "../../../lambdas/adapters/vendor-http/index.ts";
import { TransientError, ValidationError } from "../../../lambdas/core/errors.ts";
import type { PullChannelInput } from "../../../lambdas/core/pull/pull-config.ts";
import { type Exchange, FixtureServer, loadExchange, serve, times } from "./fixture-server.ts";
import { FakeClock, harness, invoke, recordsOf, throughJson } from "./harness.ts";

const PATH = "/admin/api/2025-10/products.json";
const HANDLES = [
  "ocean-blue-shirt",
  "classic-varsity-top",
  "yellow-wool-jumper",
  "floral-white-top",
  "striped-silk-blouse",
];
/** Stored watermark 05:05Z; with a 300 s lookback the filter starts at 05:00Z = 00:00 in New York. */
const WATERMARK = Date.parse("2025-03-01T05:05:00Z");

let server: FixtureServer;
let pages: Exchange[];

const config = (overrides: Partial<PullChannelInput> = {}): PullChannelInput => ({
  baseUrl: server.origin,
  path: PATH,
  secretName: "shopify-token",
  auth: { type: "api-key-header", header: "X-Shopify-Access-Token" },
  request: { query: { limit: "2" } },
  paging: { style: "link-header" },
  recordsPath: "products",
  incremental: {
    param: "updated_at_min",
    format: "iso-8601-offset",
    timeZone: "America/New_York",
    lookbackSeconds: 300,
  },
  retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  pageTimeoutSeconds: 5,
  format: "shopify-rest",
  ...overrides,
});

const handles = (records: unknown[]) => records.map((record) => (record as { handle: string }).handle);
const isPage = (n: number) => (request: { url: URL }) =>
  request.url.href === new URL(pages[n - 1]?.request.url ?? "").href;

beforeEach(async () => {
  server = await FixtureServer.start();
  pages = [1, 2, 3].map((n) => loadExchange(`shopify-rest/products.page-${n}.json`, server.origin));
  server.route(serve(pages));
});

afterEach(async () => {
  await server.close();
});

describe("link-header paging (Shopify REST)", () => {
  it("follows Link rel=next verbatim and sends the watermark minus lookback on the first request only", async () => {
    const h = harness(config());
    const { pages: got, result } = await invoke(h, undefined, { watermark: WATERMARK });

    expect(handles(recordsOf(got))).toEqual(HANDLES);
    expect(result).toEqual({
      status: "complete",
      pages: 3,
      records: 5,
      watermark: h.clock.ms,
      totalPages: 3,
      totalRecords: 5,
    });
    const [first, second, third] = server.requestsTo(PATH);
    expect(first?.url.searchParams.get("updated_at_min")).toBe("2025-03-01T00:00:00-05:00");
    expect(first?.url.searchParams.get("limit")).toBe("2");
    // page_info URLs must be followed as given: Shopify rejects them with repeated filters.
    expect(second?.url.href).toBe(pages[1]?.request.url);
    expect(third?.url.href).toBe(pages[2]?.request.url);
    expect(second?.url.searchParams.has("updated_at_min")).toBe(false);
    expect(first?.headers["x-shopify-access-token"]).toBe("shpat_test_NOT_REAL");
    expect(got.map((page) => page.checkpoint === undefined)).toEqual([false, false, true]);
    expect(h.secretReads).toEqual(["shopify-token"]);
  });

  it("pulls everything when the vendor has no watermark yet", async () => {
    server.route(
      (request) => (request.url.searchParams.has("page_info") ? undefined : pages[0]?.response),
      serve(pages),
    );
    const { result } = await invoke(harness(config()), undefined);
    expect(result.status).toBe("complete");
    expect(server.requestsTo(PATH)[0]?.url.searchParams.has("updated_at_min")).toBe(false);
  });

  it("ends on an empty page even when it still links to a next one", async () => {
    const [, page2] = pages;
    if (!page2) throw new Error("fixture");
    const linkToPage4 = `<${server.origin}${PATH}?limit=2&page_info=cGFnZS00>; rel="next"`;
    const emptyButLinked = { status: 200, headers: { Link: linkToPage4 }, body: { products: [] } };
    server.route(times(1, isPage(3), emptyButLinked), serve(pages));
    const { pages: got, result } = await invoke(harness(config()), undefined, { watermark: WATERMARK });
    expect(handles(recordsOf(got))).toEqual(HANDLES.slice(0, 4));
    expect(result).toMatchObject({ status: "complete", totalPages: 3, totalRecords: 4 });
    expect(server.requestsTo(PATH)).toHaveLength(3);
  });

  it("waits the decimal Retry-After of a 429 and goes on", async () => {
    const tooMany = loadExchange("shopify-rest/products.429.json", server.origin);
    server.route(times(1, isPage(2), tooMany.response), serve(pages));
    const h = harness(config());
    const { pages: got, result } = await invoke(h, undefined, { watermark: WATERMARK });

    expect(h.sleeps).toContain(2_000); // "Retry-After: 2.0"
    expect(handles(recordsOf(got))).toEqual(HANDLES);
    expect(result.status).toBe("complete");
    expect(server.requestsTo(PATH)).toHaveLength(4);
  });

  it("hands over with a checkpoint when the Retry-After is longer than it may wait, and resumes from it", async () => {
    const tooMany = loadExchange("shopify-rest/products.429.json", server.origin);
    server.route(times(1, isPage(2), tooMany.response), serve(pages));
    const h = harness(config({ rateLimit: { maxInlineWaitSeconds: 1 } }));

    const first = await invoke(h, undefined, { watermark: WATERMARK });
    expect(first.result).toMatchObject({ status: "partial", reason: "rate-limited", retryAfterMs: 2_000, pages: 1 });
    if (first.result.status !== "partial") throw new Error("expected a checkpoint");
    expect(first.result.checkpoint.next.url).toBe(pages[1]?.request.url);

    const second = await invoke(h, throughJson(first.result.checkpoint));
    expect(handles([...recordsOf(first.pages), ...recordsOf(second.pages)])).toEqual(HANDLES);
    expect(second.result).toMatchObject({ status: "complete", totalPages: 3, totalRecords: 5 });
  });

  it("paces requests by X-Shopify-Shop-Api-Call-Limit before the bucket is full", async () => {
    const [page1] = pages;
    if (!page1) throw new Error("fixture");
    const nearlyFull = {
      ...page1.response,
      headers: { ...page1.response.headers, "X-Shopify-Shop-Api-Call-Limit": "39/40" },
    };
    server.route(times(1, isPage(1), nearlyFull), serve(pages));
    const h = harness(config());
    await invoke(h, undefined, { watermark: WATERMARK });
    // One call free, two kept free: wait for two calls to leak at 2/s.
    expect(h.sleeps).toEqual([1_000]);
  });

  it("retries a 500 with full-jitter backoff", async () => {
    server.route(times(1, isPage(2), { status: 500, body: { errors: "Internal Server Error" } }), serve(pages));
    const h = harness(config());
    const { pages: got, result } = await invoke(h, undefined, { watermark: WATERMARK });
    expect(result.status).toBe("complete");
    expect(handles(recordsOf(got))).toEqual(HANDLES);
    expect(h.sleeps).toEqual([50]); // random 0.5 × min(1000, 100 × 2^0)
  });

  it("retries a page that times out", async () => {
    server.route(times(1, isPage(2), "hang"), serve(pages));
    const h = harness(config({ pageTimeoutSeconds: 1 }));
    const { pages: got, result } = await invoke(h, undefined, { watermark: WATERMARK });
    expect(result.status).toBe("complete");
    expect(handles(recordsOf(got))).toEqual(HANDLES);
    expect(server.requestsTo(PATH)).toHaveLength(4);
  });

  it("fails as transient with a checkpoint at the failing page after every attempt, and resumes from it", async () => {
    server.route(times(3, isPage(2), { status: 503, body: "unavailable" }), serve(pages));
    const h = harness(config());
    const delivered: unknown[] = [];
    let caught: unknown;
    try {
      await h.connector.pull(undefined, {
        deadline: h.clock.now() + 3_600_000,
        watermark: WATERMARK,
        onPage: (page) => {
          delivered.push(...page.records);
        },
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VendorUnavailableError);
    expect(caught).toBeInstanceOf(TransientError);
    const error = caught as VendorUnavailableError;
    expect(error).toMatchObject({ status: 503, attempts: 3 });
    expect(error.checkpoint.next.url).toBe(pages[1]?.request.url);
    expect(h.sleeps).toEqual([50, 100]);

    const resumed = await invoke(h, throughJson(error.checkpoint));
    expect(handles([...delivered, ...recordsOf(resumed.pages)])).toEqual(HANDLES);
  });

  it("fails at once, without retrying, on a 404", async () => {
    server.route(() => ({ status: 404, body: { errors: "Not Found" } }));
    const h = harness(config());
    const attempt = invoke(h, undefined, { watermark: WATERMARK });
    await expect(attempt).rejects.toBeInstanceOf(VendorHttpError);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({
      status: 404,
      message: expect.stringMatching(/HTTP 404; not retrying/),
    });
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });

  it("stops after maxPagesPerInvocation pages and resumes to get exactly the remaining records once", async () => {
    const h = harness(config({ maxPagesPerInvocation: 1 }));
    const seen: unknown[] = [];
    let checkpoint: PullCheckpoint | undefined;
    let invocations = 0;
    for (;;) {
      invocations += 1;
      const { pages: got, result } = await invoke(h, checkpoint, { watermark: WATERMARK });
      seen.push(...recordsOf(got));
      expect(got).toHaveLength(1);
      if (result.status === "complete") break;
      expect(result.reason).toBe("max-pages");
      checkpoint = throughJson(result.checkpoint);
    }
    expect(invocations).toBe(3);
    expect(handles(seen)).toEqual(HANDLES);
    expect(server.requestsTo(PATH)).toHaveLength(3);
  });

  it("stops before a page that would not finish by the deadline, and resumes", async () => {
    const clock = new FakeClock();
    // Each vendor call takes 10 s on the fake clock.
    server.route((request) => {
      clock.advance(10_000);
      return serve(pages)(request);
    });
    const h = harness(config({ pageTimeoutSeconds: 5 }), clock);
    const first = await invoke(h, undefined, { watermark: WATERMARK, deadline: clock.ms + 12_000 });
    expect(first.result).toMatchObject({ status: "partial", reason: "deadline", pages: 1, records: 2 });
    if (first.result.status !== "partial") throw new Error("expected a checkpoint");
    const { sinceMs, startedAt } = first.result.checkpoint;

    const rest = await invoke(h, throughJson(first.result.checkpoint));
    expect(handles([...recordsOf(first.pages), ...recordsOf(rest.pages)])).toEqual(HANDLES);
    // The run keeps its start (next watermark) and its filter across invocations.
    expect(rest.result).toMatchObject({ status: "complete", watermark: startedAt, totalRecords: 5 });
    expect(sinceMs).toBe(WATERMARK - 300_000);
  });

  it("refuses a checkpoint written for another paging style", async () => {
    const h = harness(config());
    const foreign = {
      version: 1,
      style: "keyset",
      next: {},
      startedAt: 0,
      pagesFetched: 0,
      recordsFetched: 0,
      seen: [],
    };
    await expect(invoke(h, foreign as PullCheckpoint)).rejects.toBeInstanceOf(CheckpointMismatchError);
  });
});
