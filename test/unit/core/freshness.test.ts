import { describe, expect, it } from "vitest";
import { computeFreshness } from "../../../lambdas/core/freshness.ts";

const NOW = 1_800_000_000_000;
const MIN = 60_000;

describe("computeFreshness", () => {
  it("reports the age of the newest accepted change and the time since the last successful sync, in seconds", () => {
    const reading = computeFreshness("acme", { newestSourceTs: NOW - 90 * MIN, lastSuccessAt: NOW - 5 * MIN }, NOW);

    expect(reading).toEqual({
      vendorId: "acme",
      paused: false,
      neverSynced: false,
      freshnessAgeSeconds: 5400,
      timeSinceLastSyncSeconds: 300,
    });
  });

  it("rounds partial seconds down, so an age never overstates staleness", () => {
    expect(computeFreshness("acme", { newestSourceTs: NOW - 1999 }, NOW).freshnessAgeSeconds).toBe(1);
  });

  it("reports a never-synced vendor with no ages, so its staleness alarm sees missing data", () => {
    const reading = computeFreshness("acme", {}, NOW);

    expect(reading).toEqual({ vendorId: "acme", paused: false, neverSynced: true });
  });

  it("reports only the time it knows when a sync finished without accepting a change", () => {
    const reading = computeFreshness("acme", { lastSuccessAt: NOW - MIN }, NOW);

    expect(reading).toMatchObject({ neverSynced: false, timeSinceLastSyncSeconds: 60 });
    expect(reading.freshnessAgeSeconds).toBeUndefined();
  });

  it("reports a paused vendor without ages, however old its data, so it is never shown as stale", () => {
    const reading = computeFreshness(
      "acme",
      { newestSourceTs: NOW - 10_000 * MIN, lastSuccessAt: 0, paused: true },
      NOW,
    );

    expect(reading).toEqual({ vendorId: "acme", paused: true, neverSynced: false });
  });

  it("never reports a negative age when the vendor's clock runs ahead of ours, and reports the skew", () => {
    const reading = computeFreshness("acme", { newestSourceTs: NOW + 90_500, lastSuccessAt: NOW + 1000 }, NOW);

    expect(reading.freshnessAgeSeconds).toBe(0);
    expect(reading.timeSinceLastSyncSeconds).toBe(0);
    expect(reading.clockSkewSeconds).toBe(91);
  });
});
