import { describe, expect, it } from "vitest";
import { graphqlThrottle, pauseAfterMs, requestedWaitMs } from "../../../../lambdas/adapters/vendor-http/rate-limit.ts";
import { formatWatermark } from "../../../../lambdas/adapters/vendor-http/watermark.ts";

const bucket = { leakRatePerSecond: 2, bucketHeadroom: 2 };

describe("rate-limit signals", () => {
  it.each([
    [{ "Retry-After": "2.0" }, 2_000],
    [{ "Retry-After": "0.25" }, 250],
    [{ "Retry-After": "3" }, 3_000],
    [{ "Retry-After": "Sat, 15 Mar 2025 12:00:30 GMT" }, 30_000],
    [{ "X-Rate-Limit-Time-Reset-Ms": "4178" }, 4_178],
    [{}, undefined],
  ])("%j asks for %s ms", (headers, expected) => {
    expect(requestedWaitMs(new Headers(headers), Date.parse("2025-03-15T12:00:00Z"))).toBe(expected);
  });

  it("recognises a throttled GraphQL reply and its restore time", () => {
    const body = {
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
      extensions: { cost: { requestedQueryCost: 14, throttleStatus: { currentlyAvailable: 9, restoreRate: 100 } } },
    };
    expect(graphqlThrottle(body)).toEqual({ waitMs: 50 });
    expect(graphqlThrottle({ errors: [{ extensions: { code: "THROTTLED" } }] })).toEqual({ waitMs: undefined });
    expect(graphqlThrottle({ data: {} })).toBeUndefined();
    expect(graphqlThrottle({ errors: [{ message: "syntax error" }] })).toBeUndefined();
  });

  it.each([
    [{ "X-Shopify-Shop-Api-Call-Limit": "1/40" }, {}, 0],
    [{ "X-Shopify-Shop-Api-Call-Limit": "38/40" }, {}, 500],
    [{ "X-Shopify-Shop-Api-Call-Limit": "39/40" }, {}, 1_000],
    [{ "X-Shopify-Shop-Api-Call-Limit": "40/40" }, {}, 1_500],
    [{ "X-Rate-Limit-Requests-Left": "148", "X-Rate-Limit-Time-Reset-Ms": "28000" }, {}, 0],
    [{ "X-Rate-Limit-Requests-Left": "0", "X-Rate-Limit-Time-Reset-Ms": "28000" }, {}, 28_000],
    [
      {},
      {
        extensions: {
          cost: { requestedQueryCost: 14, throttleStatus: { currentlyAvailable: 1994, restoreRate: 100 } },
        },
      },
      0,
    ],
    [
      {},
      {
        extensions: { cost: { requestedQueryCost: 100, throttleStatus: { currentlyAvailable: 40, restoreRate: 50 } } },
      },
      1_200,
    ],
  ])("pauses after %j %j for %s ms", (headers, body, expected) => {
    expect(pauseAfterMs(new Headers(headers), body, bucket)).toBe(expected);
  });
});

describe("formatWatermark", () => {
  const at = Date.parse("2025-03-01T05:00:00.750Z");
  it.each([
    ["iso-8601", "UTC", "2025-03-01T05:00:00Z"],
    ["iso-8601-offset", "America/New_York", "2025-03-01T00:00:00-05:00"],
    ["iso-8601-offset", "UTC", "2025-03-01T05:00:00+00:00"],
    ["iso-8601-offset", "Asia/Kolkata", "2025-03-01T10:30:00+05:30"],
    ["iso-8601-local", "Europe/Berlin", "2025-03-01T06:00:00"],
    ["date", "America/New_York", "2025-03-01"],
    ["date", "Pacific/Auckland", "2025-03-01"],
    ["datetime-space", "UTC", "2025-03-01 05:00:00"],
    ["epoch-seconds", "UTC", "1740805200"],
    ["epoch-millis", "UTC", "1740805200750"],
  ] as const)("%s in %s", (format, zone, expected) => {
    expect(formatWatermark(at, format, zone)).toBe(expected);
  });

  it("writes midnight as 00, not 24", () => {
    expect(formatWatermark(Date.parse("2025-03-01T00:00:00Z"), "datetime-space", "UTC")).toBe("2025-03-01 00:00:00");
  });
});
