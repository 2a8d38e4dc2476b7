/**
 * The convergence properties must be able to fail: run against deliberately broken rules, each one
 * finds a counterexample.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Decision, decide, decideStep } from "../../../../lambdas/core/conflict-rules.ts";
import { convergenceProperty, realOn, VENDOR_RULES } from "../../../support/convergence-model.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../../support/memory-stores.ts";

const broken = (rules: typeof decide) => async () => ({
  real: realOn(new MemoryRecordStore(), new MemoryConflictStore(), VENDOR_RULES, rules),
});

/** Runs until a counterexample; a seed keeps the run reproducible. */
const check = (rules: typeof decide) =>
  fc.check(convergenceProperty(VENDOR_RULES, broken(rules)), { numRuns: 300, seed: 20261204 });

describe("the convergence properties catch broken rules", () => {
  it("fails when equal content at a newer time does not keep the newer time (A-B-A)", async () => {
    const withoutRestamps: typeof decide = (current, change, policy, now): Decision => {
      const decision = decide(current, change, policy, now);
      return decision.action === "restamp" ? { action: "skip", outcome: "unchanged", reason: "broken" } : decision;
    };
    expect((await check(withoutRestamps)).failed).toBe(true);
  }, 120_000);

  it("fails when the price guard and manual review judge against the stored record, not the history", async () => {
    expect((await check(decideStep)).failed).toBe(true);
  }, 120_000);
});
