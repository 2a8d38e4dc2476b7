/**
 * Reading the rate-limit signals vendors send, as waits in ms. Pure: headers and bodies in, numbers out.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#name-retry-after
 * @see https://shopify.dev/docs/api/usage/limits
 * @see https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits
 */

/** Settings that turn leaky-bucket headers into waits (from the vendor config's `rateLimit`). */
export interface BucketSettings {
  /** Requests/s the Shopify bucket leaks. */
  readonly leakRatePerSecond: number;
  /** Calls to keep free in the bucket. */
  readonly bucketHeadroom: number;
}

/**
 * The wait a 429 (or 503) asks for: `Retry-After` (decimal seconds such as `2.0`, or an HTTP date),
 * else BigCommerce's `X-Rate-Limit-Time-Reset-Ms`.
 *
 * @param now - epoch ms, for HTTP-date values.
 * @returns ms (rounded up, ≥ 0), or `undefined` when the response names no wait.
 */
export function requestedWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.ceil(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get("x-rate-limit-time-reset-ms")?.trim();
  if (reset && /^\d+$/.test(reset)) return Number(reset);
  return undefined;
}

interface GraphqlCost {
  readonly requestedQueryCost?: number;
  readonly throttleStatus?: { readonly currentlyAvailable?: number; readonly restoreRate?: number };
}

function cost(body: unknown): GraphqlCost | undefined {
  const extensions = (body as { extensions?: { cost?: GraphqlCost } } | null)?.extensions;
  return extensions?.cost;
}

/** Wait until the query cost is available again: (requested − available) ÷ restoreRate seconds. */
function costWaitMs(body: unknown): number | undefined {
  const c = cost(body);
  const requested = c?.requestedQueryCost;
  const available = c?.throttleStatus?.currentlyAvailable;
  const rate = c?.throttleStatus?.restoreRate;
  if (typeof requested !== "number" || typeof available !== "number" || typeof rate !== "number" || rate <= 0) {
    return undefined;
  }
  return Math.max(0, Math.ceil(((requested - available) / rate) * 1000));
}

/**
 * A GraphQL reply throttled by query cost: HTTP 200 with `errors[].extensions.code == "THROTTLED"`.
 *
 * @returns `{ waitMs }` (undefined when the reply carries no cost data) when throttled, else `undefined`.
 */
export function graphqlThrottle(body: unknown): { waitMs: number | undefined } | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const throttled = errors.some(
    (error) => (error as { extensions?: { code?: unknown } } | null)?.extensions?.code === "THROTTLED",
  );
  return throttled ? { waitMs: costWaitMs(body) } : undefined;
}

/**
 * How long to pause before the next request after a successful one, so the next one is not refused:
 *
 * - Shopify REST `X-Shopify-Shop-Api-Call-Limit: used/size`: when fewer than `bucketHeadroom` calls are
 *   free, wait for the bucket to leak that many;
 * - BigCommerce `X-Rate-Limit-Requests-Left: 0`: wait `X-Rate-Limit-Time-Reset-Ms`;
 * - Shopify GraphQL `extensions.cost`: when the last query's cost is no longer available, wait for it.
 *
 * @returns ms, 0 when nothing asks for a pause.
 */
export function pauseAfterMs(headers: Headers, body: unknown, settings: BucketSettings): number {
  let wait = 0;
  const callLimit = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(headers.get("x-shopify-shop-api-call-limit") ?? "");
  if (callLimit) {
    const free = Number(callLimit[2]) - Number(callLimit[1]);
    if (free <= settings.bucketHeadroom) {
      wait = Math.max(wait, Math.ceil(((settings.bucketHeadroom - free + 1) / settings.leakRatePerSecond) * 1000));
    }
  }
  const left = headers.get("x-rate-limit-requests-left")?.trim();
  const reset = headers.get("x-rate-limit-time-reset-ms")?.trim();
  if (left && /^-?\d+$/.test(left) && Number(left) <= 0 && reset && /^\d+$/.test(reset)) {
    wait = Math.max(wait, Number(reset));
  }
  const c = cost(body);
  const available = c?.throttleStatus?.currentlyAvailable;
  if (typeof c?.requestedQueryCost === "number" && typeof available === "number" && available < c.requestedQueryCost) {
    wait = Math.max(wait, costWaitMs(body) ?? 0);
  }
  return wait;
}
