/**
 * Writes as the interpreter makes them, and the entries a batch plan hands to apply.
 *
 * @see ../../../docs/batch-workflow.md
 */
import type { Change } from "../change.ts";
import type { Decision } from "../conflict-rules.ts";
import type { ConflictType } from "../model.ts";
import { type Precondition, preconditionOf, type SyncRecord } from "../record.ts";

/** One planned change of a batch plan: what apply writes, or decides again, later. */
export type PlannedEntry =
  | {
      /** Written as planned when the record did not move since the plan (no read at apply). */
      readonly action: "write";
      /** `unchanged`: a newer time kept for equal content (no new version). */
      readonly outcome: "created" | "updated" | "unchanged";
      readonly change: Change;
      /** The record as planned (its times are set again when written). */
      readonly record: SyncRecord;
      /** What the stored record must still be (see `Precondition`); absent: it must not exist. */
      readonly expected?: Precondition;
      /** A conflict the strategy resolved in this change's favour. */
      readonly conflictType?: ConflictType;
    }
  | {
      /**
       * Decided again by live mode at apply: reviews, and changes of records that remember their
       * history (their conflicts are opened and closed when written).
       */
      readonly action: "decide";
      /** What the plan expects (the dry-run report shows it). */
      readonly outcome: Decision["outcome"];
      readonly change: Change;
    };

/** A decision that writes the record: the record with its next revision and the precondition it is written on. */
export interface Write {
  readonly decision: Decision;
  readonly record: SyncRecord;
  readonly expected: Precondition | undefined;
}

/** @returns the record a decision writes, if any (a content write, a restamp, or its history). */
export function recordToWrite(decision: Decision): SyncRecord | undefined {
  if (decision.action === "write" || decision.action === "restamp") return decision.record;
  return decision.persist?.record;
}

/** @returns the write of a decision made against `current`. */
export function prepareWrite(decision: Decision, record: SyncRecord, current: SyncRecord | undefined): Write {
  return { decision, record: { ...record, revision: (current?.revision ?? 0) + 1 }, expected: preconditionOf(current) };
}

/** @returns the planned entry of a decision (`undefined`: settled at plan, nothing to do at apply). */
export function plannedEntry(decision: Decision, write: Write | undefined, change: Change): PlannedEntry | undefined {
  // A write that opens or closes no conflict is written as planned; one that does is decided again.
  const effects = (decision.persist?.opens.length ?? 0) + (decision.persist?.supersedes.length ?? 0) > 0;
  if (decision.action === "write" && !effects && write) {
    return {
      action: "write",
      outcome: decision.outcome,
      change,
      record: write.record,
      ...(write.expected === undefined ? {} : { expected: write.expected }),
      ...(decision.conflictType ? { conflictType: decision.conflictType } : {}),
    };
  }
  if (decision.action === "restamp" && !effects && write) {
    return {
      action: "write",
      outcome: "unchanged",
      change,
      record: write.record,
      ...(write.expected === undefined ? {} : { expected: write.expected }),
    };
  }
  if (decision.action === "review" || decision.persist) return { action: "decide", outcome: decision.outcome, change };
  if (decision.action === "write" || decision.action === "restamp")
    return { action: "decide", outcome: decision.outcome, change };
  return undefined;
}

/** @returns the write a planned entry makes at apply, with its times set to `now` (epoch ms). */
export function plannedWrite(entry: Extract<PlannedEntry, { action: "write" }>, now: number): Write {
  const record = {
    ...entry.record,
    updatedAt: now,
    createdAt: entry.expected === undefined ? now : entry.record.createdAt,
  };
  const decision: Decision =
    entry.outcome === "unchanged"
      ? {
          action: "restamp",
          outcome: "unchanged",
          record,
          reason: "content equals the stored record; its newer time is kept",
        }
      : {
          action: "write",
          outcome: entry.outcome,
          record,
          ...(entry.conflictType ? { conflictType: entry.conflictType } : {}),
        };
  return { decision, record, expected: entry.expected };
}
