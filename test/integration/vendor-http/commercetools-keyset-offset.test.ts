import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VendorAuthError, VendorHttpError } from "../../../lambdas/adapters/vendor-http/index.ts";
import type { PullChannelInput } from "../../../lambdas/core/pull/pull-config.ts";
import { type Exchange, FixtureServer, loadExchange, type Route, serve, times } from "./fixture-server.ts";
import { harness, invoke, recordsOf } from "./harness.ts";

const PATH = "/vendor-sync-demo/inventory";
const SKUS = ["24-MB01", "24-MB02", "24-MB03", "24-MB04", "24-MB05"];

let server: FixtureServer;
let tokenRequests: { authorization: string | undefined; body: string }[];
let tokensIssued: number;

/** A token endpoint on the test server: `/oauth/token`, issuing tok-1, tok-2… */
const tokenEndpoint: Route = (request) => {
  if (request.url.pathname !== "/oauth/token") return undefined;
  tokenRequests.push({ authorization: request.headers.authorization, body: request.body });
  tokensIssued += 1;
  return {
    status: 200,
    body: {
      access_token: `tok-${tokensIssued}`,
      token_type: "Bearer",
      expires_in: 172_800,
      scope: "view_products:demo",
    },
  };
};

const skus = (records: unknown[]) => records.map((record) => (record as { sku: string }).sku);

beforeEach(async () => {
  server = await FixtureServer.start();
  tokenRequests = [];
  tokensIssued = 0;
});

afterEach(async () => {
  await server.close();
});

describe("keyset paging with OAuth2 client credentials (commercetools)", () => {
  const config = (): PullChannelInput => ({
    baseUrl: server.origin,
    path: PATH,
    secretName: "ct-client",
    auth: { type: "oauth2-client-credentials", tokenUrl: `${server.origin}/oauth/token`, scope: "view_products:demo" },
    request: { query: { withTotal: "false", sort: "id asc" } },
    paging: {
      style: "keyset",
      keyPath: "id",
      param: "where",
      template: 'id > "{value}"',
      limitParam: "limit",
      limit: 2,
    },
    recordsPath: "results",
    format: "commercetools",
  });
  let pages: Exchange[];
  beforeEach(() => {
    pages = [1, 2, 3].map((n) => loadExchange(`commercetools/inventory.page-${n}.json`, server.origin));
  });

  it("asks for the next keys after the last id until a short page, with a cached bearer token", async () => {
    server.route(tokenEndpoint, serve(pages));
    const h = harness(config());
    const first = await invoke(h, undefined);
    expect(skus(recordsOf(first.pages))).toEqual(SKUS);
    expect(first.result).toMatchObject({ status: "complete", totalPages: 3 });
    const requests = server.requestsTo(PATH);
    expect(requests.map((request) => request.url.searchParams.get("where"))).toEqual([
      null,
      'id > "0b1c2d3e-0000-4000-8000-000000000002"',
      'id > "0b1c2d3e-0000-4000-8000-000000000004"',
    ]);
    expect(requests.every((request) => request.headers.authorization === "Bearer tok-1")).toBe(true);

    // The next invocation of the same warm connector reuses the token.
    await invoke(h, undefined);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]?.authorization).toBe(
      `Basic ${Buffer.from("vendor-sync:test_NOT_REAL").toString("base64")}`,
    );
    expect(new URLSearchParams(tokenRequests[0]?.body)).toEqual(
      new URLSearchParams({ grant_type: "client_credentials", scope: "view_products:demo" }),
    );
  });

  it("fetches a new token once when the API answers 401", async () => {
    server.route(
      tokenEndpoint,
      times(1, (request) => request.url.pathname === PATH, { status: 401, body: {} }),
      serve(pages),
    );
    const { result } = await invoke(harness(config()), undefined);
    expect(result.status).toBe("complete");
    expect(tokenRequests).toHaveLength(2);
    expect(server.requestsTo(PATH).at(-1)?.headers.authorization).toBe("Bearer tok-2");
  });

  it("fails without retrying when the token endpoint refuses the client", async () => {
    server.route((request) =>
      request.url.pathname === "/oauth/token" ? { status: 401, body: { error: "invalid_client" } } : undefined,
    );
    const attempt = invoke(harness(config()), undefined);
    await expect(attempt).rejects.toBeInstanceOf(VendorAuthError);
    await expect(attempt).rejects.toThrow(/refused the client credentials \(HTTP 401 invalid_client\)/);
    expect(server.requestsTo(PATH)).toHaveLength(0);
  });

  it("adds the watermark as a second where predicate", async () => {
    server.route(tokenEndpoint, (request) => {
      const predicates = request.url.searchParams.getAll("where");
      // Serve the keyset pages as long as the watermark predicate is there.
      if (!predicates.includes('lastModifiedAt > "2025-03-01T00:00:00Z"')) return undefined;
      const url = new URL(request.url);
      url.searchParams.delete("where");
      for (const predicate of predicates.filter((p) => p.startsWith("id"))) url.searchParams.append("where", predicate);
      return serve(pages)({ ...request, url });
    });
    const channel = {
      ...config(),
      incremental: {
        param: "where",
        format: "iso-8601" as const,
        template: 'lastModifiedAt > "{value}"',
        lookbackSeconds: 0,
      },
    };
    const { pages: got } = await invoke(harness(channel), undefined, { watermark: Date.parse("2025-03-01T00:00:00Z") });
    expect(skus(recordsOf(got))).toEqual(SKUS);
  });
});

describe("offset paging (commercetools)", () => {
  /** offset 2 is the recorded page; offsets 0 and 4 are built from the keyset pages' records around it. */
  function offsetPages(): Route {
    const recorded = loadExchange("commercetools/inventory.offset-with-total.json", server.origin);
    const results = [1, 3].map(
      (n) =>
        (loadExchange(`commercetools/inventory.page-${n}.json`, server.origin).response.body as { results: unknown[] })
          .results,
    );
    const page = (offset: number, items: unknown[]) => ({
      status: 200,
      body: { limit: 2, offset, count: items.length, total: 5, results: items },
    });
    return (request) => {
      if (request.url.pathname !== PATH || request.url.searchParams.get("limit") !== "2") return undefined;
      switch (request.url.searchParams.get("offset")) {
        case "0":
          return page(0, results[0] ?? []);
        case "2":
          return recorded.response;
        case "4":
          return page(4, results[1] ?? []);
        default:
          return undefined;
      }
    };
  }
  const config = (overrides: { maxOffset?: number } = {}): PullChannelInput => ({
    baseUrl: server.origin,
    path: PATH,
    secretName: "ct-client",
    auth: { type: "oauth2-client-credentials", tokenUrl: `${server.origin}/oauth/token` },
    paging: { style: "offset", param: "offset", limitParam: "limit", limit: 2, totalPath: "total", ...overrides },
    recordsPath: "results",
    format: "commercetools",
  });

  it("steps the offset by the page size until the total", async () => {
    server.route(tokenEndpoint, offsetPages());
    const { pages: got, result } = await invoke(harness(config()), undefined);
    expect(skus(recordsOf(got))).toEqual(SKUS);
    expect(result).toMatchObject({ status: "complete", totalPages: 3 });
    expect(server.requestsTo(PATH).map((request) => request.url.searchParams.get("offset"))).toEqual(["0", "2", "4"]);
  });

  it("fails clearly before passing the API's maximum offset", async () => {
    server.route(tokenEndpoint, offsetPages());
    const attempt = invoke(harness(config({ maxOffset: 2 })), undefined);
    await expect(attempt).rejects.toBeInstanceOf(VendorHttpError);
    await expect(attempt).rejects.toThrow(
      /offset 4 is past the API's maximum of 2; page this endpoint with keyset paging/,
    );
  });
});
