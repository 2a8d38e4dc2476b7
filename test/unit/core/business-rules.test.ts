import { describe, expect, it } from "vitest";
import { applyIncomingRules } from "../../../lambdas/core/business-rules.ts";
import { BusinessRuleError } from "../../../lambdas/core/errors.ts";
import { change } from "../../support/changes.ts";

describe("applyIncomingRules — negative stock", () => {
  const negative = change({ entityType: "inventory", attributes: { available: "-3" } });

  it("allows negative stock when the vendor allows it", () => {
    expect(applyIncomingRules(negative, { negativeStock: "allow" })).toBe(negative);
  });

  it("clamps to zero and recomputes the content hash", () => {
    const clamped = applyIncomingRules(negative, { negativeStock: "clamp" });
    expect(clamped.attributes.available).toBe(0);
    expect(clamped.contentHash).toBe(change({ entityType: "inventory", attributes: { available: "0" } }).contentHash);
  });

  it("rejects with a business-rule error naming the field", () => {
    expect(() => applyIncomingRules(negative, { negativeStock: "reject" })).toThrow(BusinessRuleError);
    try {
      applyIncomingRules(negative, { negativeStock: "reject" });
    } catch (error) {
      expect(error).toMatchObject({ rule: "negative-stock", field: "attributes.available" });
    }
  });
});
