import type { Change } from "./change.ts";
import { contentHash } from "./content-hash.ts";
import { BusinessRuleError } from "./errors.ts";

/** What to do with a negative available quantity (docs/conflict-rules.md). */
export type NegativeStockPolicy = "allow" | "reject" | "clamp";

/**
 * Applies the rules that judge a change on its own, before it meets the stored record:
 * the negative-stock policy. (The price-change guard needs the stored price and runs in `decide`.)
 *
 * @returns the change, or a copy with `available` clamped to 0 (content hash recomputed).
 * @throws {BusinessRuleError} (`rule: "negative-stock"`) when the policy is `reject`.
 */
export function applyIncomingRules(change: Change, rules: { readonly negativeStock: NegativeStockPolicy }): Change {
  if (change.entityType !== "inventory" || change.op !== "upsert") return change;
  const available = change.attributes.available;
  if (typeof available !== "number" || available >= 0 || rules.negativeStock === "allow") return change;
  if (rules.negativeStock === "reject") {
    throw new BusinessRuleError("negative-stock", `available quantity ${available} is negative`, {
      field: "attributes.available",
    });
  }
  const attributes = { ...change.attributes, available: 0 };
  return { ...change, attributes, contentHash: contentHash({ op: change.op, attributes }) };
}
