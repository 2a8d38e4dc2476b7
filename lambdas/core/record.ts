import { contentHash } from "./content-hash.ts";
import type { Attributes, Op, RecordKey, Source } from "./model.ts";

/** When and from where a value was written: the ordering key of last-write-wins and merge. */
export interface Stamp {
  /** Vendor event time, UTC epoch ms. */
  readonly sourceTs: number;
  readonly sourceVersion?: number;
  readonly source: Source;
  readonly eventId: string;
}

/** Relative stock movements applied on top of an absolute level (see `inventory-delta.ts`). */
export interface DeltaLedger {
  /** `sourceTs` of the absolute level the stored value builds on, UTC epoch ms. Older movements are stale. */
  readonly baseTs: number;
  /** Movements applied since, oldest first (at most `MAX_REMEMBERED_DELTAS`). */
  readonly applied: readonly { readonly eventId: string; readonly sourceTs: number }[];
  /** The newest `sourceTs` among movements no longer remembered: a movement at or before it is stale. */
  readonly floorTs?: number;
}

/** One change a record remembers (see `rules/fold.ts`): applied, or held for review. */
export interface HistoryEntry {
  readonly op: Op;
  readonly eventId: string;
  /** UTC epoch ms. */
  readonly sourceTs: number;
  readonly sourceVersion?: number;
  readonly source: Source;
  readonly jobId: string;
  readonly attributes: Attributes;
  /** Held for manual review when last folded (not applied). */
  readonly held: boolean;
}

/** The state a record's remembered history starts from: changes older than it are stale. */
export type HistoryBase = Pick<
  SyncRecord,
  | "attributes"
  | "deleted"
  | "deletedAt"
  | "sourceTs"
  | "sourceVersion"
  | "source"
  | "lastEventId"
  | "fieldStamps"
  | "deleteStamp"
>;

/**
 * The changes a record whose rules look back remembers (manual review; prices under the price
 * guard): the newest applied and held ones, oldest first, so a late change can be folded in its place.
 */
export interface RecordHistory {
  /** The state before the oldest entry; absent: the record did not exist before it. */
  readonly base?: HistoryBase;
  readonly entries: readonly HistoryEntry[];
}

/** An open manual-review conflict of a record, with the stamp of the change it holds. */
export interface OpenReview extends Stamp {
  readonly conflictId: string;
}

/**
 * A stored record: the current state of one `(vendorId, entityType, entityKey)` with its provenance.
 */
export interface SyncRecord extends RecordKey {
  /**
   * The content version: +1 per write that changes the content (attributes or deleted flag), so
   * change notifications correspond one to one, by (key, version), to content changes. Starts at 1.
   */
  readonly version: number;
  /**
   * +1 per write of any kind (a content change, or a newer time kept for equal content); conditional
   * writes check it. Absent on records written before it existed (read as 0).
   */
  readonly revision?: number;
  /** Event time of the newest change applied, UTC epoch ms. */
  readonly sourceTs: number;
  readonly sourceVersion?: number;
  /** Source of the newest change applied. */
  readonly source: Source;
  readonly lastEventId: string;
  readonly lastJobId: string;
  /** {@link recordContentHash} of the attributes and deleted flag. */
  readonly contentHash: string;
  /** Current attributes (empty for a tombstone). */
  readonly attributes: Attributes;
  /** Per-field stamps, kept by the merge strategy only. */
  readonly fieldStamps?: Readonly<Record<string, Stamp>>;
  /** Stamp of the newest delete, kept by the merge strategy only. */
  readonly deleteStamp?: Stamp;
  /** Tombstone flag: the vendor deleted this record. */
  readonly deleted: boolean;
  /** Event time of the delete, UTC epoch ms (tombstones only). */
  readonly deletedAt?: number;
  /**
   * Inventory records that received relative movements: the movements applied on top of the last
   * absolute level, so each is applied exactly once (see `inventory-delta.ts`). Cleared by the next
   * absolute write.
   */
  readonly deltas?: DeltaLedger;
  /** Records whose rules look back: the changes remembered (see {@link RecordHistory}). */
  readonly history?: RecordHistory;
  /** Records whose rules look back: the record's open review conflicts, closed when a newer change applies. */
  readonly reviews?: readonly OpenReview[];
  /** Wall-clock time of the first write, epoch ms. */
  readonly createdAt: number;
  /** Wall-clock time of the last write, epoch ms. */
  readonly updatedAt: number;
}

/** The hash that decides "unchanged": attributes (nulls dropped) and the deleted flag. */
export function recordContentHash(attributes: Attributes, deleted: boolean): string {
  const present: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== null) present[key] = value;
  return contentHash({ deleted, attributes: present });
}

/** @returns the stamp of the newest change a record reflects. */
export function recordStamp(record: SyncRecord): Stamp {
  return {
    sourceTs: record.sourceTs,
    ...(record.sourceVersion === undefined ? {} : { sourceVersion: record.sourceVersion }),
    source: record.source,
    eventId: record.lastEventId,
  };
}

/** What a conditional write checks: the stored record is still the one a decision was made on. */
export interface Precondition {
  readonly version: number;
  /** Absent: the stored record has no `revision` yet (written before it existed). */
  readonly revision?: number;
}

/** @returns the precondition of a write decided against `record` (`undefined`: it must not exist yet). */
export function preconditionOf(record: SyncRecord | undefined): Precondition | undefined {
  if (!record) return undefined;
  return { version: record.version, ...(record.revision === undefined ? {} : { revision: record.revision }) };
}
