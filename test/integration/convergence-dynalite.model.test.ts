import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Change } from "../../lambdas/core/change.ts";
import { recordId } from "../../lambdas/core/model.ts";
import { convergenceProperty, MERGE_RULES, type Real, realOn, VENDOR_RULES } from "../support/convergence-model.ts";
import { startTestDynamo } from "../support/dynamo.ts";

/** Runs per property: bounded in `npm test`; `npm run test:convergence` sets CONVERGENCE_RUNS for a long run. */
const RUNS = Math.max(1, Math.floor(Number(process.env.CONVERGENCE_RUNS ?? 40) / 8));

let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;
let run = 0;
beforeAll(async () => {
  dynamo = await startTestDynamo();
});
afterAll(() => dynamo.close());

/** The real adapters on dynalite: conditional writes on `revision`, conflicts in the sync table. */
const onDynalite = (rules: typeof VENDOR_RULES) => async () => {
  const { records, sync } = dynamo.newStores();
  const vendorId = `model-${++run}`;
  const conflicts: Real["conflicts"] = Object.assign(sync, {
    openOf: async (key: Change) =>
      (await sync.listConflicts(vendorId, { status: "OPEN", limit: 1000 }))
        .filter((c) => recordId(c) === recordId(key))
        .map((c) => c.incoming.eventId)
        .sort(),
  });
  return { real: realOn(records, conflicts, rules), vendorId };
};

describe("convergence, model-based, on dynalite (the DynamoDB adapters)", () => {
  it("every entry, order, duplicate and racing writer ends at the rules folded in source-time order", async () => {
    await fc.assert(convergenceProperty(VENDOR_RULES, onDynalite(VENDOR_RULES)), { numRuns: RUNS });
    await fc.assert(convergenceProperty(MERGE_RULES, onDynalite(MERGE_RULES)), { numRuns: RUNS });
  }, 120_000);
});
