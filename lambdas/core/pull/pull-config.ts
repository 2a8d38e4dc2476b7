import * as v from "valibot";
import { TimeZoneSchema } from "../timestamps.ts";
import { jsonPathIssue } from "./json-path.ts";

/**
 * The `channels.pull` section of a vendor config (docs/scheduled-sync.md): how the scheduled workflow's HTTP
 * JSON connector reaches a vendor API, pages through it, limits itself and maps what it reads.
 * Secrets never live here: `secretName` names one in Secrets Manager (or the sandbox's secrets file).
 *
 * @see ../../adapters/vendor-http/connector.ts for how each setting is used.
 */

/**
 * Record mappers for pulled pages (`lambdas/core/pull/`):
 * - `shopify-rest` — https://shopify.dev/docs/api/admin-rest/latest/resources/product
 * - `shopify-graphql` — https://shopify.dev/docs/api/admin-graphql/latest/objects/Product
 * - `woocommerce-rest` — https://woocommerce.github.io/woocommerce-rest-api-docs/#products
 * - `bigcommerce-rest` — https://developer.bigcommerce.com/docs/rest-catalog/products
 * - `commercetools` — inventory entries, https://docs.commercetools.com/api/projects/inventory
 * - `akeneo` — https://api.akeneo.com/api-reference.html#Productuuid
 * - `canonical` — records already are canonical change inputs.
 */
export const PULL_FORMATS = [
  "shopify-rest",
  "shopify-graphql",
  "woocommerce-rest",
  "bigcommerce-rest",
  "commercetools",
  "akeneo",
  "canonical",
] as const;
export type PullFormat = (typeof PULL_FORMATS)[number];

/**
 * How a watermark instant is written into the request:
 * - `iso-8601` — UTC with `Z`, whole seconds: `2025-03-01T05:00:00Z`;
 * - `iso-8601-offset` — local time in `timeZone` with its offset: `2025-03-01T00:00:00-05:00` (Shopify);
 * - `iso-8601-local` — local time in `timeZone` without offset: `2025-03-01T00:00:00` (WooCommerce);
 * - `date` — local date in `timeZone`: `2025-03-01` (BigCommerce `date_modified:min`);
 * - `datetime-space` — local `YYYY-MM-DD HH:MM:SS` in `timeZone` (Akeneo `search`);
 * - `epoch-seconds`, `epoch-millis` — Unix time.
 */
export const WATERMARK_FORMATS = [
  "iso-8601",
  "iso-8601-offset",
  "iso-8601-local",
  "date",
  "datetime-space",
  "epoch-seconds",
  "epoch-millis",
] as const;
export type WatermarkFormat = (typeof WATERMARK_FORMATS)[number];

/** The paging styles the connector implements. */
export const PAGING_STYLES = [
  "none",
  "link-header",
  "cursor",
  "page-number",
  "offset",
  "search-after",
  "keyset",
] as const;
export type PagingStyle = (typeof PAGING_STYLES)[number];

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

const HttpUrlSchema = v.pipe(
  v.string(),
  v.url("must be an absolute URL"),
  v.check((text) => {
    const url = new URL(text);
    return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  }, "must use https (plain http only for localhost)"),
  v.check((text) => {
    const url = new URL(text);
    return url.username === "" && url.password === "";
  }, "must not carry credentials; name a secret instead"),
);

const PathSchema = v.pipe(
  v.string(),
  v.check(
    (text) => jsonPathIssue(text) === undefined,
    (issue) => jsonPathIssue(String(issue.input)) ?? "invalid path",
  ),
);
const NameSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(200));
const TemplateSchema = v.pipe(v.string(), v.includes("{value}", 'must contain the placeholder "{value}"'));
const PositiveInt = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(max));
const HeaderNameSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "not an HTTP header name"));

/** Headers that carry credentials; they must come from the secret, never from the config file. */
const CREDENTIAL_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "x-shopify-access-token",
  "x-auth-token",
]);

const AuthSchema = v.variant("type", [
  v.strictObject({ type: v.literal("none") }),
  /** The secret is sent as-is in `header` (after `prefix`). Shopify: `X-Shopify-Access-Token`; BigCommerce: `X-Auth-Token`. */
  v.strictObject({
    type: v.literal("api-key-header"),
    header: HeaderNameSchema,
    /** Text before the key, e.g. `"Token "`. @default "" */
    prefix: v.optional(v.string(), ""),
  }),
  /** `Authorization: Bearer <secret>`. */
  v.strictObject({ type: v.literal("bearer") }),
  /** `Authorization: Basic base64(<secret>)`; the secret is `user:password` (WooCommerce consumer key:secret). */
  v.strictObject({ type: v.literal("basic") }),
  /**
   * OAuth 2.0 client credentials grant (RFC 6749 §4.4); the secret is JSON `{"clientId","clientSecret"}`,
   * sent as HTTP Basic to `tokenUrl`. Tokens are cached until shortly before `expires_in`.
   */
  v.strictObject({
    type: v.literal("oauth2-client-credentials"),
    tokenUrl: HttpUrlSchema,
    /** Space-separated scopes. */
    scope: v.optional(v.pipe(v.string(), v.minLength(1))),
  }),
]);

const PagingSchema = v.variant("style", [
  /** One request, one page. */
  v.strictObject({ style: v.literal("none") }),
  /** Follow the `Link` header's relation verbatim (Shopify REST, WordPress). */
  v.strictObject({
    style: v.literal("link-header"),
    /** @default "next" */
    rel: v.optional(v.pipe(v.string(), v.minLength(1)), "next"),
  }),
  /**
   * An opaque cursor read from the body and sent back as query parameter (or GraphQL variable) `param`.
   * Ends when `hasMorePath` is false, the cursor is missing, or a page is empty.
   */
  v.strictObject({
    style: v.literal("cursor"),
    cursorPath: PathSchema,
    param: NameSchema,
    hasMorePath: v.optional(PathSchema),
  }),
  /** `param` = 1, 2, 3…; ends at the total page count (header or body) or at a short or empty page. */
  v.strictObject({
    style: v.literal("page-number"),
    param: NameSchema,
    /** @default 1 */
    startAt: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 1),
    pageSizeParam: NameSchema,
    pageSize: PositiveInt(10_000),
    /** Response header holding the page count (WooCommerce `X-WP-TotalPages`). */
    totalPagesHeader: v.optional(HeaderNameSchema),
    /** Body path holding the page count (BigCommerce `meta.pagination.total_pages`). */
    totalPagesPath: v.optional(PathSchema),
  }),
  /** `param` = 0, limit, 2×limit…; ends at `total` (when `totalPath` is given) or at a short or empty page. */
  v.strictObject({
    style: v.literal("offset"),
    param: NameSchema,
    limitParam: NameSchema,
    limit: PositiveInt(10_000),
    totalPath: v.optional(PathSchema),
    /** Largest offset the API accepts (commercetools: 10,000); beyond it the pull fails clearly. */
    maxOffset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
  /**
   * Follow a next link found in the body (Akeneo HAL `_links.next.href` with `pagination_type=search_after`;
   * BigCommerce `meta.pagination.links.next`, a relative query string). The token inside is opaque.
   */
  v.strictObject({
    style: v.literal("search-after"),
    /** @default "_links.next.href" */
    nextLinkPath: v.optional(PathSchema, "_links.next.href"),
  }),
  /**
   * Keyset paging on a sorted key (commercetools: `sort=id asc`, `where=id > "<last id>"`): the next page
   * adds `param` = `template` with the last record's `keyPath` value; ends at a page shorter than `limit`.
   * Put the sort order in `request.query`.
   */
  v.strictObject({
    style: v.literal("keyset"),
    keyPath: PathSchema,
    param: NameSchema,
    /** e.g. `id > "{value}"`. */
    template: TemplateSchema,
    limitParam: NameSchema,
    limit: PositiveInt(10_000),
  }),
]);

const RequestSchema = v.pipe(
  v.strictObject({
    /** @default "GET" (POST when `graphql` is set) */
    method: v.optional(v.picklist(["GET", "POST"])),
    /** Fixed query parameters of the first request (`limit`, `orderby`, `sort`…). */
    query: v.optional(v.record(NameSchema, v.string()), {}),
    /** Fixed, non-secret headers (`Accept`, an API version). */
    headers: v.optional(v.record(HeaderNameSchema, v.string()), {}),
    /**
     * A GraphQL query sent as a POST body; the cursor and watermark go into `variables` under the
     * names given by `paging.param` and `incremental.param`.
     */
    graphql: v.optional(
      v.strictObject({
        query: v.pipe(v.string(), v.minLength(1)),
        variables: v.optional(v.record(v.string(), v.unknown()), {}),
      }),
    ),
  }),
  v.check(
    (request) => Object.keys(request.headers).every((name) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
    "headers must not carry credentials; configure auth and a secretName instead",
  ),
);

const IncrementalSchema = v.strictObject({
  /** Query parameter (or GraphQL variable) that receives the lower bound (`updated_at_min`). */
  param: NameSchema,
  format: v.picklist(WATERMARK_FORMATS),
  /** Wraps the formatted value, e.g. `updated_at:>'{value}'` or Akeneo's JSON `search`. @default "{value}" */
  template: v.optional(TemplateSchema, "{value}"),
  /** Overlap subtracted from the stored watermark, in seconds, so clock skew and late commits are not missed. @default 300 */
  lookbackSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86_400)), 300),
  /** Zone of local formats (`iso-8601-local`, `date`, …). @default "UTC" */
  timeZone: v.optional(TimeZoneSchema, "UTC"),
});

const RateLimitSchema = v.strictObject({
  /** Waits up to this long happen inside the invocation; longer ones end it with a checkpoint. @default 10 */
  maxInlineWaitSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(600)), 10),
  /** Minimum spacing between requests, in ms. @default 0 */
  minIntervalMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)), 0),
  /** Shopify REST leak rate (requests/s) used with `X-Shopify-Shop-Api-Call-Limit`. @default 2 */
  leakRatePerSecond: v.optional(v.pipe(v.number(), v.minValue(0.01)), 2),
  /** Calls kept free in a leaky bucket before pausing. @default 2 */
  bucketHeadroom: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 2),
  /** 429/throttled replies tolerated per page before the invocation ends with a checkpoint. @default 5 */
  maxThrottledPerPage: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100)), 5),
});

const RetrySchema = v.strictObject({
  /** Attempts per request on 5xx, timeouts and network errors (first included). @default 4 */
  maxAttempts: v.optional(PositiveInt(20), 4),
  /** Backoff base, in ms: attempt n waits random(0, min(maxDelayMs, baseDelayMs × 2^n)). @default 500 */
  baseDelayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 500),
  /** Backoff cap, in ms. @default 20000 */
  maxDelayMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 20_000),
});

/**
 * One resource read by id, for thin webhook notifications (a BigCommerce `store/product/updated`, a
 * commercetools change notification): `path` is appended to `baseUrl` with `{id}` (and, for resources
 * under a product, `{productId}`) replaced; `recordPath` locates the record in the answer. The record is
 * mapped with the channel's `format`, like a pulled one.
 */
const ResourceSchema = v.strictObject({
  /** e.g. `/v3/catalog/products/{id}`. */
  path: v.pipe(
    v.string(),
    v.startsWith("/", 'must start with "/"'),
    v.includes("{id}", 'must contain the placeholder "{id}"'),
  ),
  /** Where the record is in the answer (`data`, `$`). @default "$" */
  recordPath: v.optional(PathSchema, "$"),
});

/** Longest page timeout of a channel with `resources`: a thin notification's fetch must fit the processor's 30 s. */
export const MAX_FETCH_SECONDS = 20;

/**
 * The pull channel (vendor config `channels.pull`).
 *
 * @example Shopify REST
 * ```json
 * { "baseUrl": "https://partners-demo.myshopify.com", "path": "/admin/api/2025-10/products.json",
 *   "secretName": "vendor-sync/shopify-demo/admin-token",
 *   "auth": { "type": "api-key-header", "header": "X-Shopify-Access-Token" },
 *   "request": { "query": { "limit": "250" } },
 *   "paging": { "style": "link-header" }, "recordsPath": "products",
 *   "incremental": { "param": "updated_at_min", "format": "iso-8601", "lookbackSeconds": 300 },
 *   "format": "shopify-rest" }
 * ```
 */
export const PullChannelSchema = v.pipe(
  v.strictObject({
    /** Origin (and optional base path) of the API, https only (http for localhost). */
    baseUrl: HttpUrlSchema,
    /** Path of the list endpoint, appended to `baseUrl`. */
    path: v.pipe(v.string(), v.startsWith("/", 'must start with "/"')),
    /** Name of the secret with the credential (required unless auth is `none`). */
    secretName: v.optional(v.pipe(v.string(), v.minLength(1))),
    auth: AuthSchema,
    /** @default {} */
    request: v.optional(RequestSchema, {}),
    paging: PagingSchema,
    /** Where the records are in a page body: `products`, `data.products.edges[*].node`, `$`. */
    recordsPath: PathSchema,
    /** Incremental pulls: only records changed since the stored watermark (minus the lookback). */
    incremental: v.optional(IncrementalSchema),
    /** @default {} */
    rateLimit: v.optional(RateLimitSchema, {}),
    /** @default {} */
    retry: v.optional(RetrySchema, {}),
    /** Time allowed for one page (request + body), in seconds. @default 30 */
    pageTimeoutSeconds: v.optional(v.pipe(v.number(), v.minValue(0.001), v.maxValue(300)), 30),
    /** Pages fetched per invocation before handing over with a checkpoint. @default 100 */
    maxPagesPerInvocation: v.optional(PositiveInt(100_000), 100),
    /** How records become changes. */
    format: v.picklist(PULL_FORMATS),
    /** Locale of localised values (Akeneo names). @default "en_US" */
    locale: v.optional(v.pipe(v.string(), v.minLength(2)), "en_US"),
    /**
     * Records one run may apply through the write path; past this, the rest of the run is staged to S3
     * as JSON Lines and handed to the batch workflow (large pulls). @default 5000
     */
    batchHandoffRecords: v.optional(PositiveInt(100_000_000), 5000),
    /** Single resources by the platform's resource type (`product`, `inventory-entry`…), for thin notifications. @default {} */
    resources: v.optional(v.record(NameSchema, ResourceSchema), {}),
  }),
  v.check(
    (channel) => channel.auth.type === "none" || channel.secretName !== undefined,
    "auth needs a secretName (the credential is read from the secret store, never from the config)",
  ),
  v.check(
    (channel) => !(channel.request.graphql && channel.request.method === "GET"),
    "a GraphQL request is sent with POST",
  ),
  v.check(
    (channel) => Object.keys(channel.resources).length === 0 || channel.pageTimeoutSeconds <= MAX_FETCH_SECONDS,
    `resources are fetched inside the webhook processor's invocation: pageTimeoutSeconds must be at most ${MAX_FETCH_SECONDS}`,
  ),
);

/** A validated pull channel, defaults applied. */
export type PullChannel = v.InferOutput<typeof PullChannelSchema>;
/** A pull channel as written in a vendor config file. */
export type PullChannelInput = v.InferInput<typeof PullChannelSchema>;
/** The auth section of a pull channel. */
export type PullAuth = PullChannel["auth"];
/** The paging section of a pull channel. */
export type PullPaging = PullChannel["paging"];
