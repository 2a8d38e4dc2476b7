import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lambdas/core/errors.ts";
import { parseTimestamp } from "../../../lambdas/core/timestamps.ts";

describe("parseTimestamp", () => {
  it("refuses dates that do not exist instead of rolling them into the next month", () => {
    for (const text of ["2026-02-30T00:00:00Z", "2026-11-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-00"]) {
      expect(() => parseTimestamp(text, { field: "--since" }), text).toThrow(/no such date/);
    }
    expect(parseTimestamp("2028-02-29T00:00:00Z")).toBe(Date.UTC(2028, 1, 29));
    expect(() => parseTimestamp("2026-02-29", { timeZone: "Europe/Berlin" })).toThrow(/no such date/);
  });

  it("reads ISO 8601 with Z or an offset", () => {
    expect(parseTimestamp("2025-03-14T05:26:52-04:00")).toBe(Date.parse("2025-03-14T09:26:52Z"));
    expect(parseTimestamp("2026-11-01T08:00:00Z")).toBe(Date.UTC(2026, 10, 1, 8));
    expect(parseTimestamp("2026-11-01T08:00:00+0130")).toBe(Date.UTC(2026, 10, 1, 6, 30));
  });

  it("reads naive times in the vendor's time zone, across DST", () => {
    // Berlin is UTC+1 in winter, UTC+2 in summer.
    expect(parseTimestamp("2026-01-10 12:00:00", { timeZone: "Europe/Berlin" })).toBe(Date.UTC(2026, 0, 10, 11));
    expect(parseTimestamp("2026-07-10T12:00:00", { timeZone: "Europe/Berlin" })).toBe(Date.UTC(2026, 6, 10, 10));
  });

  it("reads numbers in the declared unit", () => {
    expect(parseTimestamp(1_700_000_000, { unit: "s" })).toBe(1_700_000_000_000);
    expect(parseTimestamp(1_700_000_000_000)).toBe(1_700_000_000_000);
  });

  it("fails on seconds read as milliseconds, naming the unit problem", () => {
    expect(() => parseTimestamp(1_700_000_000)).toThrow(/wrong unit/);
  });

  it.each([["yesterday"], ["2026-13-45T99:00:00Z"], [""], [true]])("fails on %j", (value) => {
    expect(() => parseTimestamp(value)).toThrow(ValidationError);
  });
});
