import LinkHeader from "http-link-header";
import { selectOne } from "../../core/pull/json-path.ts";
import type { PullChannel } from "../../core/pull/pull-config.ts";
import { endpointOf } from "./auth.ts";
import type { PullPosition } from "./checkpoint.ts";
import { VendorHttpError } from "./errors.ts";

/** One request, ready for `fetch`. */
export interface PreparedRequest {
  readonly url: string;
  readonly method: "GET" | "POST";
  /** JSON text (GraphQL). */
  readonly body?: string;
}

/** A fetched page, as the paging logic needs it. */
export interface FetchedPage {
  readonly url: string;
  readonly headers: Headers;
  readonly body: unknown;
  readonly records: readonly unknown[];
}

/** @returns the position of a run's first page. */
export function firstPosition(channel: PullChannel): PullPosition {
  switch (channel.paging.style) {
    case "page-number":
      return { page: channel.paging.startAt };
    case "offset":
      return { offset: 0 };
    default:
      return {};
  }
}

/** The list endpoint: `baseUrl` (which may hold a path prefix, like BigCommerce's `/stores/<hash>`) + `path`. */
function endpoint(channel: PullChannel): URL {
  return new URL(`${channel.baseUrl.replace(/\/+$/, "")}${channel.path}`);
}

/**
 * Builds the request for a position.
 *
 * A position holding a URL (`link-header`, `search-after`) is requested verbatim: those links already
 * encode the filters, and Shopify rejects a `page_info` request that repeats them. Otherwise the
 * fixed query, the incremental filter and the paging parameters are added; with `request.graphql` they
 * become GraphQL variables of a POST instead.
 *
 * @param since - the formatted incremental filter value (template applied), when the run is incremental.
 */
export function buildRequest(channel: PullChannel, position: PullPosition, since: string | undefined): PreparedRequest {
  if (position.url) return { url: position.url, method: "GET" };
  const url = endpoint(channel);
  for (const [name, value] of Object.entries(channel.request.query)) url.searchParams.append(name, value);
  const graphql = channel.request.graphql;
  const variables: Record<string, unknown> = { ...(graphql?.variables ?? {}) };
  // Appended, not set: commercetools ANDs repeated `where` parameters (watermark + keyset).
  const add = (name: string, value: string | number | null) => {
    if (graphql) variables[name] = value;
    else if (value !== null) url.searchParams.append(name, String(value));
  };
  if (channel.incremental && since !== undefined) add(channel.incremental.param, since);
  const paging = channel.paging;
  switch (paging.style) {
    case "cursor":
      add(paging.param, position.cursor ?? null);
      break;
    case "page-number":
      add(paging.param, position.page ?? paging.startAt);
      add(paging.pageSizeParam, paging.pageSize);
      break;
    case "offset":
      add(paging.param, position.offset ?? 0);
      add(paging.limitParam, paging.limit);
      break;
    case "keyset":
      add(paging.limitParam, paging.limit);
      if (position.afterKey !== undefined) add(paging.param, paging.template.replaceAll("{value}", position.afterKey));
      break;
    default:
      break;
  }
  if (graphql) {
    return { url: url.href, method: "POST", body: JSON.stringify({ query: graphql.query, variables }) };
  }
  return { url: url.href, method: channel.request.method ?? "GET" };
}

function count(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Decides where the page after `page` is, per the channel's paging style.
 *
 * An empty page always ends the run (WooCommerce answers 200 `[]` past the last page), as do a short
 * page for page-number/offset/keyset paging, a known total reached, a missing next link or cursor, and
 * `hasMorePath` false.
 *
 * @returns the next position, or `undefined` when this was the last page.
 * @throws {VendorHttpError} when the response lacks what the style needs (a keyset key) or the offset
 *   would pass the API's maximum.
 */
export function nextPosition(
  channel: PullChannel,
  position: PullPosition,
  page: FetchedPage,
): PullPosition | undefined {
  const paging = channel.paging;
  const records = page.records;
  if (records.length === 0) return undefined;
  switch (paging.style) {
    case "none":
      return undefined;
    case "link-header": {
      const header = page.headers.get("link");
      if (!header) return undefined;
      const [link] = LinkHeader.parse(header).rel(paging.rel);
      return link ? { url: new URL(link.uri, page.url).href } : undefined;
    }
    case "search-after": {
      const link = selectOne(page.body, paging.nextLinkPath);
      return typeof link === "string" && link.trim() !== "" ? { url: new URL(link, page.url).href } : undefined;
    }
    case "cursor": {
      if (paging.hasMorePath !== undefined && selectOne(page.body, paging.hasMorePath) !== true) return undefined;
      const cursor = selectOne(page.body, paging.cursorPath);
      if (cursor === null || cursor === undefined || cursor === "") return undefined;
      return { cursor: String(cursor) };
    }
    case "page-number": {
      const current = position.page ?? paging.startAt;
      const total =
        count(paging.totalPagesHeader ? page.headers.get(paging.totalPagesHeader) : undefined) ??
        count(paging.totalPagesPath ? selectOne(page.body, paging.totalPagesPath) : undefined);
      if (total !== undefined && current - paging.startAt + 1 >= total) return undefined;
      if (records.length < paging.pageSize) return undefined;
      return { page: current + 1 };
    }
    case "offset": {
      const next = (position.offset ?? 0) + records.length;
      const total = count(paging.totalPath ? selectOne(page.body, paging.totalPath) : undefined);
      if ((total !== undefined && next >= total) || records.length < paging.limit) return undefined;
      if (paging.maxOffset !== undefined && next > paging.maxOffset) {
        throw new VendorHttpError(
          `offset ${next} is past the API's maximum of ${paging.maxOffset}; page this endpoint with keyset paging instead`,
          { endpoint: endpointOf(page.url) },
        );
      }
      return { offset: next };
    }
    case "keyset": {
      if (records.length < paging.limit) return undefined;
      const key = selectOne(records[records.length - 1], paging.keyPath);
      if (typeof key !== "string" && typeof key !== "number") {
        throw new VendorHttpError(`the last record of the page has no key at ${JSON.stringify(paging.keyPath)}`, {
          endpoint: endpointOf(page.url),
        });
      }
      return { afterKey: String(key) };
    }
  }
}
