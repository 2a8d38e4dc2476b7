import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PagingLoopError, type PulledPage, VendorHttpError } from "../../../lambdas/adapters/vendor-http/index.ts";
import { ValidationError } from "../../../lambdas/core/errors.ts";
import type { PullChannelInput } from "../../../lambdas/core/pull/pull-config.ts";
import { type Exchange, FixtureServer, loadExchange, type ReceivedRequest, serve, times } from "./fixture-server.ts";
import { harness, invoke, recordsOf } from "./harness.ts";

const PATH = "/admin/api/2025-10/graphql.json";
const HANDLES = [
  "ocean-blue-shirt",
  "classic-varsity-top",
  "yellow-wool-jumper",
  "floral-white-top",
  "striped-silk-blouse",
];

let server: FixtureServer;
let pages: Exchange[];

/** The cursor variable a recorded page was requested with. */
const recordedCursor = (n: number) =>
  (pages[n - 1]?.request.body as { variables?: { cursor?: string | null } } | undefined)?.variables?.cursor;
const cursorOf = (request: ReceivedRequest) =>
  (JSON.parse(request.body) as { variables: { cursor: string | null } }).variables.cursor;
const config = (): PullChannelInput => ({
  baseUrl: server.origin,
  path: PATH,
  secretName: "shopify-token",
  auth: { type: "api-key-header", header: "X-Shopify-Access-Token" },
  request: { graphql: { query: (pages[0]?.request.body as { query?: string } | undefined)?.query ?? "" } },
  paging: {
    style: "cursor",
    cursorPath: "data.products.pageInfo.endCursor",
    param: "cursor",
    hasMorePath: "data.products.pageInfo.hasNextPage",
  },
  recordsPath: "data.products.edges[*].node",
  format: "shopify-graphql",
});
const handles = (records: unknown[]) => records.map((record) => (record as { handle: string }).handle);

beforeEach(async () => {
  server = await FixtureServer.start();
  pages = [1, 2, 3].map((n) => loadExchange(`shopify-graphql/products.page-${n}.json`, server.origin));
  server.route(serve(pages));
});

afterEach(async () => {
  await server.close();
});

describe("cursor paging (Shopify GraphQL)", () => {
  it("posts the query with the end cursor of each page until hasNextPage is false", async () => {
    const { pages: got, result } = await invoke(harness(config()), undefined);
    expect(handles(recordsOf(got))).toEqual(HANDLES);
    expect(result).toMatchObject({ status: "complete", totalPages: 3 });
    const requests = server.requestsTo(PATH);
    expect(requests.map((request) => request.method)).toEqual(["POST", "POST", "POST"]);
    expect(requests.map(cursorOf)).toEqual([null, recordedCursor(2), recordedCursor(3)]);
    expect(requests[0]?.headers["content-type"]).toBe("application/json");
  });

  it("waits out a THROTTLED reply that arrives as HTTP 200, for the query cost to restore", async () => {
    const throttled = loadExchange("shopify-graphql/products.throttled.json", server.origin);
    server.route(
      times(1, (request) => cursorOf(request) !== null, throttled.response),
      serve(pages),
    );
    const h = harness(config());
    const { pages: got, result } = await invoke(h, undefined);
    // (requestedQueryCost 14 − currentlyAvailable 9) ÷ restoreRate 100 = 0.05 s
    expect(h.sleeps).toEqual([50]);
    expect(handles(recordsOf(got))).toEqual(HANDLES);
    expect(result.status).toBe("complete");
  });

  it("stops with a clear error when the cursor repeats", async () => {
    const [, page2] = pages;
    const firstCursor = recordedCursor(2);
    if (!page2 || !firstCursor) throw new Error("fixture");
    // Page 2 hands back the cursor that led to it: following it would fetch page 2 forever.
    const stuck = JSON.parse(JSON.stringify(page2.response)) as Exchange["response"];
    (stuck.body as { data: { products: { pageInfo: { endCursor: string } } } }).data.products.pageInfo.endCursor =
      firstCursor;
    server.route((request) => (cursorOf(request) === firstCursor ? stuck : undefined), serve(pages));

    const delivered: PulledPage[] = [];
    const h = harness(config());
    const attempt = h.connector.pull(undefined, {
      deadline: h.clock.now() + 60_000,
      onPage: (page) => {
        delivered.push(page);
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(PagingLoopError);
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toThrow(/paging loop: the vendor sent a next position already requested/);
    expect(handles(recordsOf(delivered))).toEqual(HANDLES.slice(0, 4));
    expect(server.requestsTo(PATH)).toHaveLength(2);
  });

  it("fails on GraphQL errors other than throttling", async () => {
    server.route(() => ({
      status: 200,
      body: { errors: [{ message: "Field 'nope' doesn't exist on type 'Product'" }] },
    }));
    await expect(invoke(harness(config()), undefined)).rejects.toThrow(VendorHttpError);
  });
});
