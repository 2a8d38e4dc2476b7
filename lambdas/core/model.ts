/**
 * The vocabulary every workflow shares: entity types, sources, workflows, operations and outcomes.
 *
 * @see ../../docs/data-model.md for how records and changes are stored.
 */

/** The kinds of vendor data kept as separate records (docs/architecture.md, "Records, changes and outcomes"). */
export const ENTITY_TYPES = ["product", "price", "inventory", "order"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** The channel a change arrived through. Used for source priority and for data-conflict detection. */
export const SOURCES = ["vendor:webhook", "vendor:pull", "vendor:file", "internal", "admin"] as const;
export type Source = (typeof SOURCES)[number];

/** The workflow that produced a change. */
export const WORKFLOWS = ["real-time", "scheduled", "batch", "on-demand"] as const;
export type Workflow = (typeof WORKFLOWS)[number];

/** `upsert` creates or changes a record; `delete` writes a tombstone. */
export const OPS = ["upsert", "delete"] as const;
export type Op = (typeof OPS)[number];

/**
 * What became of one change. Every job reports these and they reconcile: `received` is their sum.
 *
 * - `created` / `updated`: written.
 * - `unchanged`: the stored record already holds this content; no write.
 * - `duplicate`: stopped by event-id de-duplication (the same event delivered again).
 * - `stale`: older than (or outranked by) what is stored; acknowledged, never retried.
 * - `conflicted`: held for manual review (data/version conflict or a price-guard trip).
 * - `rejected`: refused by validation or a business rule; kept with its reason.
 * - `failed`: could not be written (transient or system error after retries).
 */
export const OUTCOMES = [
  "created",
  "updated",
  "unchanged",
  "duplicate",
  "stale",
  "conflicted",
  "rejected",
  "failed",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The three conflict types (docs/conflict-rules.md, "Conflict types reported"). */
export type ConflictType = "data" | "version" | "timestamp";

/** Conflict strategies, chosen per vendor and entity type. */
export const CONFLICT_STRATEGIES = ["last-write-wins", "source-priority", "manual-review", "merge"] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

/** Who is behind a source: data conflicts are between parties, not between one vendor's channels. */
export type SourceParty = "vendor" | "internal" | "admin";

/** @returns the party behind a source (`vendor:*` channels are all the vendor). */
export function sourceParty(source: Source): SourceParty {
  return source.startsWith("vendor:") ? "vendor" : (source as SourceParty);
}

/** An attribute value as stored: JSON scalars, lists and maps. `null` means "cleared". */
export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

/** A record's or a change's attributes. In a change an absent field means "leave it"; `null` means "clear it". */
export type Attributes = Record<string, AttributeValue>;

/** The identity of a record: one item per `(vendorId, entityType, entityKey)`. */
export interface RecordKey {
  readonly vendorId: string;
  readonly entityType: EntityType;
  readonly entityKey: string;
}

/** @returns a stable string id for a record key, used for maps and logs (not a storage key). */
export function recordId(key: RecordKey): string {
  return `${key.vendorId}\u001f${key.entityType}\u001f${key.entityKey}`;
}
