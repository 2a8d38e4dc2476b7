/**
 * What became of a change, in the one shape every workflow reports: the translation of a decision
 * (or an error) into a counted outcome lives here and nowhere else, so live writes, dry runs, batch
 * plans and applies, and conflict resolutions cannot drift apart.
 *
 * @see ../../../docs/conflict-rules.md
 */
import type { Change } from "../change.ts";
import type { Decision, FieldDiff } from "../conflict-rules.ts";
import { contentHash } from "../content-hash.ts";
import { BusinessRuleError, type ErrorKind, errorKind, ValidationError, VendorSyncError } from "../errors.ts";
import type { ConflictType, EntityType, Outcome, RecordKey } from "../model.ts";
import type { SyncRecord } from "../record.ts";

/** What became of one change, as every workflow reports it. */
export interface ChangeResult {
  readonly vendorId: string;
  readonly entityType: EntityType;
  readonly entityKey: string;
  readonly eventId: string;
  readonly outcome: Outcome;
  /** The change's event time, UTC epoch ms (absent for input refused before it became a change). */
  readonly sourceTs?: number;
  /** Why it was not written (stale, rejected, conflicted, failed). */
  readonly reason?: string;
  /** The offending field of a rejected change (`attributes.amount`). */
  readonly field?: string;
  /** 1-based source line (files). */
  readonly line?: number;
  readonly conflictType?: ConflictType;
  /** The manual-review conflict a `conflicted` change opened (or found open). */
  readonly conflictId?: string;
  /** The record version after a write. */
  readonly version?: number;
  /** Error kind for `rejected`/`failed` outcomes (a metric dimension). */
  readonly errorKind?: ErrorKind;
  /** For `failed`: whether the same change may succeed on a retry. */
  readonly retryable?: boolean;
  /** Fields the change alters (created: every field; updated and conflicted: the differences). */
  readonly fields?: readonly FieldDiff[];
  /** The record as written (created/updated only; live writes). */
  readonly record?: SyncRecord;
}

/** A change that was not written, as kept in the rejects file (one JSON object per line). */
export interface RejectEntry {
  readonly line?: number;
  readonly outcome: "rejected" | "failed";
  readonly reason: string;
  readonly field?: string;
  readonly entityType?: string;
  readonly entityKey?: string;
  readonly eventId?: string;
}

/** The identity part of a change's result. */
export type ResultBase = Pick<ChangeResult, "vendorId" | "entityType" | "entityKey" | "eventId" | "sourceTs" | "line">;

/** @returns the identity part of a change's result. */
export function resultBase(change: Change): ResultBase {
  return {
    vendorId: change.vendorId,
    entityType: change.entityType,
    entityKey: change.entityKey,
    eventId: change.eventId,
    sourceTs: change.sourceTs,
    ...(change.line === undefined ? {} : { line: change.line }),
  };
}

/**
 * @returns the manual-review conflict id of a change: one conflict per (record, event), so re-deciding
 *   the same change (a redelivery, a re-import, a dry run) names the same conflict.
 */
export function conflictIdOf(change: RecordKey & { readonly eventId: string }): string {
  return `c-${contentHash([change.vendorId, change.entityType, change.entityKey, change.eventId]).slice(0, 20)}`;
}

/** @returns the conflict type a review reports (a price-guard trip is a data conflict). */
export function reviewConflictType(reason: "data" | "version" | "price-guard"): ConflictType {
  return reason === "price-guard" ? "data" : reason;
}

/**
 * Turns a decision into the change's result. Writes are reported as decided: the caller passes what
 * the write produced (`version`, `record`) in `extra`.
 */
export function decisionResult(base: ResultBase, decision: Decision, extra: Partial<ChangeResult> = {}): ChangeResult {
  switch (decision.action) {
    case "skip":
      return {
        ...base,
        outcome: decision.outcome,
        reason: decision.reason,
        ...(decision.conflictType ? { conflictType: decision.conflictType } : {}),
        ...extra,
      };
    case "reject":
      return {
        ...base,
        outcome: "rejected",
        reason: decision.reason,
        errorKind: decision.rule ? "business" : "validation",
        ...(decision.field ? { field: decision.field } : {}),
        ...extra,
      };
    case "review":
      return {
        ...base,
        outcome: "conflicted",
        reason: decision.conflict.message,
        conflictType: reviewConflictType(decision.conflict.reason),
        conflictId: conflictIdOf(decision.conflict.incoming),
        fields: decision.conflict.diff,
        ...extra,
      };
    case "write":
      return {
        ...base,
        outcome: decision.outcome,
        version: decision.record.version,
        ...(decision.conflictType ? { conflictType: decision.conflictType } : {}),
        ...extra,
      };
    case "restamp":
      return { ...base, outcome: "unchanged", reason: decision.reason, version: decision.record.version, ...extra };
  }
}

/** Turns an error thrown while deciding or writing one change into its result (`rejected` or `failed`). */
export function errorResult(base: Omit<ResultBase, "eventId"> & { eventId?: string }, error: unknown): ChangeResult {
  const message = error instanceof Error ? error.message : String(error);
  const identity = { eventId: "", ...base };
  if (error instanceof ValidationError || error instanceof BusinessRuleError) {
    return {
      ...identity,
      outcome: "rejected",
      reason: message,
      errorKind: error.kind,
      ...(error.field ? { field: error.field } : {}),
      ...(identity.line === undefined && error instanceof ValidationError && error.line !== undefined
        ? { line: error.line }
        : {}),
    };
  }
  return {
    ...identity,
    outcome: "failed",
    reason: message,
    errorKind: errorKind(error),
    retryable: error instanceof VendorSyncError ? error.retryable : true,
  };
}

/**
 * @returns the `rejected` result of a source row that never became a change (an unreadable CSV row, a
 *   row the format's normaliser refused), so it is counted and kept like any other refusal.
 */
export function refusedRow(
  vendorId: string,
  row: { readonly line?: number; readonly reason: string; readonly field?: string; readonly entityKey?: string },
): ChangeResult {
  return {
    vendorId,
    // No change: no type or event. The rejects file leaves the empty identity out.
    entityType: "" as EntityType,
    entityKey: row.entityKey ?? "",
    eventId: "",
    outcome: "rejected",
    reason: row.reason,
    errorKind: "validation",
    ...(row.field ? { field: row.field } : {}),
    ...(row.line === undefined ? {} : { line: row.line }),
  };
}

/** @returns the rejects-file entry of a result, or `undefined` when the change was not refused. */
export function rejectEntryOf(result: ChangeResult): RejectEntry | undefined {
  if (result.outcome !== "rejected" && result.outcome !== "failed") return undefined;
  return {
    ...(result.line === undefined ? {} : { line: result.line }),
    outcome: result.outcome,
    reason: result.reason ?? result.outcome,
    ...(result.field ? { field: result.field } : {}),
    ...(result.entityType ? { entityType: result.entityType } : {}),
    ...(result.entityKey ? { entityKey: result.entityKey } : {}),
    ...(result.eventId ? { eventId: result.eventId } : {}),
  };
}

/** @returns the result without the written record (what responses, reports and logs carry). */
export function withoutRecord({ record: _record, ...result }: ChangeResult): ChangeResult {
  return result;
}
