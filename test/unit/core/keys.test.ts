import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lambdas/core/errors.ts";
import { normalizeKey } from "../../../lambdas/core/keys.ts";

describe("normalizeKey", () => {
  it("applies NFC, trims and removes invisible characters", () => {
    // "é" as e + combining accent, a zero-width space, NBSP padding
    expect(normalizeKey("\u00a0 cafe\u0301\u200b-01 \u2028")).toBe("caf\u00e9-01");
  });

  it("keeps case and digits of numeric ids", () => {
    expect(normalizeKey("Woo-tshirt-logo")).toBe("Woo-tshirt-logo");
    expect(normalizeKey(48)).toBe("48");
  });

  it.each([[""], ["  \u200b "], [null], [undefined], [{}]])("fails on %j", (raw) => {
    expect(() => normalizeKey(raw)).toThrow(ValidationError);
  });

  it("fails on keys over 1024 bytes", () => {
    expect(() => normalizeKey("é".repeat(600))).toThrow(/longer than 1024 bytes/);
  });
});
