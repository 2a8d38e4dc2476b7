import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PullChannelInput } from "../../../lambdas/core/pull/pull-config.ts";
import { FixtureServer, loadExchange, serve } from "./fixture-server.ts";
import { harness, invoke, recordsOf, throughJson } from "./harness.ts";

const PATH = "/api/rest/v1/products-uuid";

let server: FixtureServer;

beforeEach(async () => {
  server = await FixtureServer.start();
  server.route(serve([1, 2].map((n) => loadExchange(`akeneo/products-uuid.page-${n}.json`, server.origin))));
});

afterEach(async () => {
  await server.close();
});

const config = (overrides: Partial<PullChannelInput> = {}): PullChannelInput => ({
  baseUrl: server.origin,
  path: PATH,
  secretName: "akeneo-token",
  auth: { type: "bearer" },
  request: { query: { pagination_type: "search_after", limit: "2" } },
  paging: { style: "search-after" },
  recordsPath: "_embedded.items",
  // Akeneo's search filter is JSON with its own date format, unlike the ISO dates in its payloads.
  incremental: {
    param: "search",
    format: "datetime-space",
    template: '{"updated":[{"operator":">","value":"{value}"}]}',
    lookbackSeconds: 600,
  },
  format: "akeneo",
  ...overrides,
});

const identifiers = (records: unknown[]) => records.map((record) => (record as { identifier: string }).identifier);

describe("search-after paging (Akeneo HAL links)", () => {
  it("follows _links.next.href until it is absent, with the watermark in the search filter", async () => {
    const { pages, result } = await invoke(harness(config()), undefined, {
      watermark: Date.parse("2025-03-01T00:10:00Z"),
    });
    expect(identifiers(recordsOf(pages))).toEqual(["24-MB01", "24-MB04", "24-MB03"]);
    expect(result).toMatchObject({ status: "complete", totalPages: 2 });
    const [first, second] = server.requestsTo(PATH);
    expect(JSON.parse(first?.url.searchParams.get("search") ?? "")).toEqual({
      updated: [{ operator: ">", value: "2025-03-01 00:00:00" }],
    });
    expect(second?.url.searchParams.get("search_after")).toBe("WyIyMDI1LTAzLTE0VDA5OjQwOjExKzAwOjAwIiwiMmE4YzlkM2YiXQ");
    expect(first?.headers.authorization).toBe("Bearer test_NOT_REAL");
  });

  it("resumes from the next link saved in a checkpoint", async () => {
    const h = harness(config({ maxPagesPerInvocation: 1 }));
    const first = await invoke(h, undefined, { watermark: Date.parse("2025-03-01T00:10:00Z") });
    if (first.result.status !== "partial") throw new Error("expected a checkpoint");
    expect(first.result.checkpoint.next.url).toContain("search_after=");
    const second = await invoke(h, throughJson(first.result.checkpoint));
    expect(identifiers([...recordsOf(first.pages), ...recordsOf(second.pages)])).toEqual([
      "24-MB01",
      "24-MB04",
      "24-MB03",
    ]);
    expect(second.result.status).toBe("complete");
  });
});
