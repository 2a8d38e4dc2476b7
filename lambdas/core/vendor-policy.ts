/**
 * A vendor's write-path rules read from its configuration: conflict strategy, source ranking,
 * price-change guard, negative-stock policy. Apart from the configuration's schema
 * (`vendor-config.ts`), so the functions that only apply rules do not bundle the schema and what it
 * validates with (schedule expressions, signature schemes, pull connectors).
 */
import type { ConflictStrategy, EntityType, Source } from "./model.ts";
import type { VendorConfig } from "./vendor-config.ts";

/** Default ranking: admin edits above every vendor channel, vendor channels above internal systems. */
export const DEFAULT_SOURCE_PRIORITY: Readonly<Record<Source, number>> = {
  admin: 30,
  "vendor:webhook": 20,
  "vendor:pull": 20,
  "vendor:file": 20,
  internal: 10,
};

/** @returns the conflict strategy for one entity type of a vendor. */
function strategyFor(config: VendorConfig, entityType: EntityType): ConflictStrategy {
  return config.conflicts[entityType] ?? config.conflicts.default;
}

/** @returns the rank of a source for a vendor (its own ranking over the defaults). */
function sourceRank(config: VendorConfig, source: Source): number {
  return config.sourcePriority[source] ?? DEFAULT_SOURCE_PRIORITY[source];
}

/**
 * The write path's rules for one vendor and entity type: conflict strategy, source ranking,
 * price-change guard and negative-stock policy.
 */
export function writePolicyFor(config: VendorConfig, entityType: EntityType) {
  return {
    strategy: strategyFor(config, entityType),
    rank: (source: Source) => sourceRank(config, source),
    priceGuard: config.rules.priceChangeGuard,
    negativeStock: config.rules.negativeStock,
  } as const;
}
