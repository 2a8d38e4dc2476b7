import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../lambdas/core/errors.ts";
import { parseJsonBody } from "../../../../lambdas/core/webhooks/json-body.ts";
import { fixtureBytes } from "./fixtures.ts";

describe("parseJsonBody", () => {
  it("keeps every digit of an id above 2^53, which JSON.parse rounds", () => {
    // Prepare
    const body = fixtureBytes("shopify/inventory_levels-update.bigint.body.json");

    // Act
    const parsed = parseJsonBody(body) as { inventory_item_id: unknown; location_id: unknown };

    // Assess
    expect(parsed.inventory_item_id).toBe(5629499534213120017n);
    expect(parsed.location_id).toBe(24826418);
  });

  it.each([
    ["not JSON", Buffer.from("webhook_id=17")],
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
    ["a key given twice with different values", Buffer.from('{"price":"1.00","price":"100.00"}')],
  ])("rejects %s as a validation error on the body", (_, body) => {
    // Act
    const act = () => parseJsonBody(body);

    // Assess
    expect(act).toThrow(ValidationError);
    expect(act).toThrow(expect.objectContaining({ field: "body" }));
  });
});
