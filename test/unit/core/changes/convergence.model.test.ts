import fc from "fast-check";
import { describe, it } from "vitest";
import { convergenceProperty, MERGE_RULES, realOn, VENDOR_RULES } from "../../../support/convergence-model.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../../support/memory-stores.ts";

/** Runs per property: bounded in `npm test`; `npm run test:convergence` sets CONVERGENCE_RUNS for a long run. */
const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 40);

const onMemory = (rules: typeof VENDOR_RULES) => async () => ({
  real: realOn(new MemoryRecordStore(), new MemoryConflictStore(), rules),
});

describe("convergence, model-based, on the memory stores", () => {
  it("every entry, order, duplicate and racing writer ends at the rules folded in source-time order (LWW with the guard, manual review, source-priority)", async () => {
    await fc.assert(convergenceProperty(VENDOR_RULES, onMemory(VENDOR_RULES)), { numRuns: RUNS });
  }, 120_000);

  it("… and with merge for partial products and source-priority prices under the guard", async () => {
    await fc.assert(convergenceProperty(MERGE_RULES, onMemory(MERGE_RULES)), { numRuns: RUNS });
  }, 120_000);
});
