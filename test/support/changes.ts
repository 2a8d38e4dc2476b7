import { type Change, type ChangeContext, toChange } from "../../lambdas/core/change.ts";
import type { DecisionPolicy } from "../../lambdas/core/conflict-rules.ts";
import type { ConflictStrategy, Source } from "../../lambdas/core/model.ts";
import { DEFAULT_SOURCE_PRIORITY } from "../../lambdas/core/vendor-policy.ts";

/** A change context for vendor `v1` (USD, UTC, all entity types). */
export const testContext: ChangeContext = {
  vendorId: "v1",
  jobId: "job-test",
  workflow: "batch",
  defaultSource: "vendor:file",
  defaultCurrency: "USD",
  timeZone: "UTC",
};

/** Builds a validated change through the real `toChange` (so tests cannot build impossible changes). */
export function change(input: Record<string, unknown>, context: Partial<ChangeContext> = {}): Change {
  return toChange(
    { entityType: "price", entityKey: "SKU-1", sourceTs: 1_800_000_000_000, attributes: { amount: "1" }, ...input },
    {
      ...testContext,
      ...context,
    },
  );
}

/** A decision policy with the default ranking. */
export function policy(strategy: ConflictStrategy, extra: Partial<DecisionPolicy> = {}): DecisionPolicy {
  return { strategy, rank: (source: Source) => DEFAULT_SOURCE_PRIORITY[source], ...extra };
}

export const T0 = 1_800_000_000_000;
export const MINUTE = 60_000;
