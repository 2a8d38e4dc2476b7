/**
 * What deciding a change yields: pure data the change interpreter acts on.
 *
 * @see ../../../docs/conflict-rules.md
 */
import type { Change } from "../change.ts";
import type { Attributes, AttributeValue, ConflictStrategy, ConflictType, Source } from "../model.ts";
import type { SyncRecord } from "../record.ts";

/** The part of a vendor's configuration the decision needs, resolved for one entity type. */
export interface DecisionPolicy {
  readonly strategy: ConflictStrategy;
  /** Rank of a source: higher wins under source-priority and breaks last-write-wins ties. */
  readonly rank: (source: Source) => number;
  /** Price-change guard; `undefined` or action `off` disables it. */
  readonly priceGuard?: { readonly maxChangePercent: number; readonly action: "review" | "reject" | "off" };
}

/** Why a change is held for manual review. */
export type ReviewReason = "data" | "version" | "price-guard";

/** One field that differs between the stored record and what the change would make of it. */
export interface FieldDiff {
  readonly field: string;
  readonly current: AttributeValue | undefined;
  readonly incoming: AttributeValue | undefined;
}

/** What a manual-review conflict item holds (the store adds ids, status and times). */
export interface ConflictDraft {
  readonly reason: ReviewReason;
  /** Human-readable explanation. */
  readonly message: string;
  /** The record version the conflict was raised against; a resolution is applied only on it. */
  readonly recordVersion: number;
  readonly current: SyncRecord;
  readonly incoming: Change;
  /** The record as it would be if the change were accepted. */
  readonly proposed: { readonly attributes: Attributes; readonly deleted: boolean };
  readonly diff: readonly FieldDiff[];
}

/** What a decision also does beyond the change's own outcome (records that remember their history). */
export interface Persist {
  /** The record to write: content, times, history and open reviews (its content may be unchanged). */
  readonly record: SyncRecord;
  /** Conflicts to open besides the change's own: changes a late change took back into review. */
  readonly opens: readonly ConflictDraft[];
  /** Open conflicts a newer applied change superseded: closed as `superseded`. */
  readonly supersedes: readonly string[];
}

/** The outcome of deciding one change against the stored record. Pure data; the interpreter acts on it. */
export type Decision = DecisionOutcome & { readonly persist?: Persist };

/** The change's own outcome. */
export type DecisionOutcome =
  | {
      readonly action: "write";
      readonly outcome: "created" | "updated";
      /** The record to write (a new content version), decided against the stored record. */
      readonly record: SyncRecord;
      /** A conflict that the strategy resolved in this change's favour. */
      readonly conflictType?: ConflictType;
    }
  | {
      /**
       * The change carries the stored content at a time that wins: the record keeps its content and
       * version and takes the change's time and event id (a write that changes no content).
       */
      readonly action: "restamp";
      readonly outcome: "unchanged";
      readonly record: SyncRecord;
      readonly reason: string;
    }
  | {
      readonly action: "skip";
      readonly outcome: "unchanged" | "duplicate" | "stale";
      readonly reason: string;
      readonly conflictType?: ConflictType;
    }
  | {
      readonly action: "review";
      readonly outcome: "conflicted";
      readonly conflict: ConflictDraft;
    }
  | {
      readonly action: "reject";
      readonly outcome: "rejected";
      readonly reason: string;
      readonly rule?: string;
      readonly field?: string;
    };
