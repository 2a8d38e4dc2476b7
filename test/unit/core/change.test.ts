import { describe, expect, it } from "vitest";
import { toChange } from "../../../lambdas/core/change.ts";
import { ValidationError } from "../../../lambdas/core/errors.ts";
import { change, testContext } from "../../support/changes.ts";

describe("toChange", () => {
  it("builds a price change with minor units, the default currency and a derived event id", () => {
    // Act
    const result = change({ attributes: { amount: "19.90" } });
    // Assess
    expect(result).toMatchObject({
      vendorId: "v1",
      entityType: "price",
      entityKey: "SKU-1",
      op: "upsert",
      source: "vendor:file",
      workflow: "batch",
      jobId: "job-test",
      attributes: { amount: 1990, currency: "USD" },
    });
    expect(result.eventId).toMatch(/^h-[0-9a-f]{32}$/);
    expect(result.contentHash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("derives the same event id for the same content and time, and another for other content", () => {
    const a = change({ attributes: { amount: "19.90" } });
    const b = change({ attributes: { amount: "19.9" } });
    const c = change({ attributes: { amount: "20.00" } });
    expect(a.eventId).toBe(b.eventId);
    expect(a.eventId).not.toBe(c.eventId);
  });

  it("keeps absent fields absent and null fields null (absent = leave, null = clear)", () => {
    const result = change({ attributes: { amount: "5", compareAtAmount: null } });
    expect(result.attributes).toEqual({ amount: 500, currency: "USD", compareAtAmount: null });
    expect("costAmount" in result.attributes).toBe(false);
  });

  it("normalises the key", () => {
    expect(change({ entityKey: " SKU\u200b-1\u00a0" }).entityKey).toBe("SKU-1");
  });

  it("reads the event time from ISO 8601 and falls back to the as-of time", () => {
    expect(change({ sourceTs: "2026-11-01T08:00:00Z" }).sourceTs).toBe(Date.UTC(2026, 10, 1, 8));
    const asOf = Date.UTC(2026, 0, 1);
    const input = { entityType: "inventory", entityKey: "A", attributes: { available: "7" } };
    expect(toChange(input, { ...testContext, defaultSourceTs: asOf }).sourceTs).toBe(asOf);
  });

  it("builds a delete with no attributes", () => {
    const result = change({ op: "delete", attributes: { amount: "1" } });
    expect(result.attributes).toEqual({});
  });

  it.each([
    [{ entityType: "widget" }, "entityType"],
    [{ entityKey: "" }, "entityKey"],
    [{ attributes: { amount: "1,5" } }, "attributes.amount"],
    [{ attributes: { amount: "1.00", currency: "ABC" } }, "attributes.currency"],
    [{ attributes: { amount: "1", colour: "red" } }, "attributes.colour"],
    [{ entityType: "inventory", attributes: { available: "2.5" } }, "attributes.available"],
    [{ attributes: {} }, "attributes"],
    [{ sourceTs: "next tuesday" }, "sourceTs"],
  ])("rejects %j naming %s", (input, field) => {
    try {
      change({ attributes: { amount: "1" }, ...input });
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    }
  });

  it("carries the source line into validation errors", () => {
    try {
      change({ attributes: { amount: "abc" }, line: 42 });
      expect.unreachable("should have thrown");
    } catch (error) {
      expect((error as ValidationError).line).toBe(42);
    }
  });

  it("rejects entity types the vendor is not configured for", () => {
    expect(() => change({ entityType: "order", attributes: { status: "paid" } }, { entityTypes: ["price"] })).toThrow(
      /not configured/,
    );
  });

  it("rejects an unsafe integer key instead of rounding it", () => {
    expect(() => change({ entityKey: 2 ** 53 + 2, attributes: { amount: "1" } })).toThrow(ValidationError);
  });
});

describe("toChange — error messages", () => {
  it("names an unknown field plainly", () => {
    expect(() => change({ vendorId: "x" })).toThrow('vendorId: unknown field "vendorId"');
  });

  it("refuses a negative price, naming the field, and still takes a zero price", () => {
    expect(() => change({ entityType: "price", attributes: { amount: "-5.00", currency: "USD" } })).toThrow(
      "attributes.amount: a price cannot be negative (-5.00)",
    );
    expect(() =>
      change({ entityType: "price", attributes: { amount: "5.00", compareAtAmount: -1, currency: "USD" } }),
    ).toThrow(/attributes\.compareAtAmount: a price cannot be negative/);
    expect(change({ entityType: "price", attributes: { amount: "0", currency: "USD" } }).attributes.amount).toBe(0);
  });
});
