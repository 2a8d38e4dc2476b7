import { type Change, toChange } from "../change.ts";
import { changeContext } from "../changes/context.ts";
import type { ChangeInterpreter } from "../changes/interpreter.ts";
import { contentHash } from "../content-hash.ts";
import { ConcurrentUpdateError, TransientError, ValidationError } from "../errors.ts";
import type { Attributes } from "../model.ts";
import type { ConflictItem, RecordStore } from "../ports.ts";
import type { SyncRecord } from "../record.ts";
import type { VendorConfig } from "../vendor-config.ts";

/** What an admin decides about a conflict. */
export type Resolution =
  /** Apply the incoming change as proposed. */
  | { readonly action: "accept" }
  /** Keep the stored record; the incoming change is dropped. */
  | { readonly action: "reject" }
  /** Apply these values (vendor text form, e.g. `{ "title": "…", "amount": "36.50" }`) over the stored record. */
  | { readonly action: "edit"; readonly values: Readonly<Record<string, unknown>> };

/** The conflict bookkeeping a resolution needs (sync table on AWS and in the sandbox). */
export interface ConflictReviewStore {
  getConflict(conflictId: string): Promise<ConflictItem | undefined>;
  /**
   * Claims an OPEN conflict for one admin.
   * @throws {ConcurrentUpdateError} naming who holds or resolved it, when it is not OPEN.
   */
  claimConflict(conflictId: string, by: string, now: number): Promise<void>;
  /** Gives a claim back (the resolution could not be applied); the conflict is OPEN again. */
  releaseConflict(conflictId: string, by: string, note: string): Promise<void>;
  /** Records the resolution: RESOLVING → RESOLVED, with who, when and the version written. */
  finishConflict(conflict: ConflictItem, resolution: NonNullable<ConflictItem["resolution"]>): Promise<void>;
}

/** A conflict id that does not exist. */
export class ConflictNotFoundError extends ValidationError {
  constructor(conflictId: string) {
    super(`no conflict ${conflictId}`, { field: "conflictId", value: conflictId });
    this.name = "ConflictNotFoundError";
  }
}

export interface ResolveConflictDeps {
  readonly conflicts: ConflictReviewStore;
  /** Reads the record the resolution applies to (strongly consistent). */
  readonly records: Pick<RecordStore, "get">;
  /** The change interpreter: the resolution is applied through its live mode, on the raised version only. */
  readonly interpreter: Pick<ChangeInterpreter, "applyAt">;
  readonly vendor: (vendorId: string) => VendorConfig;
  readonly now?: () => number;
}

/** The result of a resolution. */
export interface ResolveConflictResult {
  readonly conflict: ConflictItem;
  /** The record after the resolution (unchanged for `reject`). */
  readonly record: SyncRecord | undefined;
  /** Whether a record write happened. */
  readonly written: boolean;
}

/** @returns the ISO 4217 currency the conflicting record is priced in, when it has one. */
function recordCurrency(conflict: ConflictItem): string | undefined {
  for (const attributes of [conflict.current.attributes, conflict.proposed.attributes]) {
    const currency = (attributes as Readonly<Record<string, unknown>>).currency;
    if (typeof currency === "string" && currency.length === 3) return currency;
  }
  return undefined;
}

/** The admin change a resolution applies: the proposed record in full, or the edited values. */
export function resolutionChange(
  conflict: ConflictItem,
  resolution: Resolution,
  vendor: VendorConfig,
  by: string,
  now: number,
): Change | undefined {
  if (resolution.action === "reject") return undefined;
  const context = changeContext(vendor, {
    workflow: "on-demand",
    jobId: `admin:${by}`,
    source: "admin",
    asOf: now,
    // An edited amount without a currency is in the record's currency, not the vendor's default.
    currency: recordCurrency(conflict) ?? vendor.defaultCurrency,
    restrictEntityTypes: false,
  });
  const base = {
    entityType: conflict.entityType,
    entityKey: conflict.entityKey,
    eventId: `resolution:${conflict.conflictId}`,
    expectedVersion: conflict.recordVersion,
    source: "admin",
  };
  if (resolution.action === "edit") {
    if (Object.keys(resolution.values).length === 0) {
      throw new ValidationError("an edit needs at least one value", { field: "values" });
    }
    return toChange({ ...base, attributes: resolution.values }, context);
  }
  // The proposal is already canonical (minor units): it replaces the stored attributes, and fields
  // it no longer has are cleared.
  const op = conflict.proposed.deleted ? "delete" : "upsert";
  const attributes: Attributes = op === "delete" ? {} : { ...conflict.proposed.attributes };
  if (op === "upsert") {
    for (const field of Object.keys(conflict.current.attributes)) if (!(field in attributes)) attributes[field] = null;
  }
  return {
    vendorId: conflict.vendorId,
    entityType: conflict.entityType,
    entityKey: conflict.entityKey,
    op,
    eventId: base.eventId,
    sourceTs: now,
    expectedVersion: conflict.recordVersion,
    source: "admin",
    workflow: "on-demand",
    jobId: context.jobId,
    attributes,
    contentHash: contentHash({ op, attributes }),
  };
}

/**
 * Resolves a manual-review conflict: accept the incoming change, keep the current record, or supply
 * values. Applied only on the record version the conflict was raised against (a conditional write);
 * recorded with who and when. Two admins resolving the same conflict: one wins, the other gets a
 * {@link ConcurrentUpdateError} that says who resolved it.
 *
 * @throws {ConflictNotFoundError} for an unknown id.
 * @throws {ConcurrentUpdateError} when the conflict is being or was resolved, or the record changed since.
 * @throws {ValidationError} for edited values that do not validate.
 */
export async function resolveConflict(
  deps: ResolveConflictDeps,
  request: { conflictId: string; resolution: Resolution; by: string },
): Promise<ResolveConflictResult> {
  const now = (deps.now ?? Date.now)();
  const conflict = await deps.conflicts.getConflict(request.conflictId);
  if (!conflict) throw new ConflictNotFoundError(request.conflictId);
  const vendor = deps.vendor(conflict.vendorId);
  // Validate before claiming, so a typo does not hold the conflict.
  const change = resolutionChange(conflict, request.resolution, vendor, request.by, now);
  await deps.conflicts.claimConflict(conflict.conflictId, request.by, now);
  let record: SyncRecord | undefined;
  let written = false;
  try {
    record = await deps.records.get(conflict, { consistent: true });
    if (change) {
      if ((record?.version ?? 0) !== conflict.recordVersion) {
        throw new ConcurrentUpdateError(
          `record ${conflict.entityType} ${conflict.entityKey} changed since the conflict was raised (version ${conflict.recordVersion} → ${record?.version ?? "deleted"}); review it again`,
        );
      }
      const { result, lost } = await deps.interpreter.applyAt(change, record);
      if (lost) {
        throw new ConcurrentUpdateError(
          `record ${conflict.entityType} ${conflict.entityKey} changed while resolving; review it again`,
        );
      }
      if (result.outcome === "rejected")
        throw new ValidationError(result.reason ?? "rejected", { field: result.field });
      if (result.outcome === "failed") throw new TransientError(result.reason ?? "the resolution could not be written");
      if (result.record) {
        record = result.record;
        written = true;
      }
    }
  } catch (error) {
    await deps.conflicts.releaseConflict(
      conflict.conflictId,
      request.by,
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  }
  const resolution = {
    action: request.resolution.action,
    by: request.by,
    at: now,
    ...(written && record ? { appliedVersion: record.version } : {}),
  } as const;
  await deps.conflicts.finishConflict(conflict, resolution);
  return { conflict: { ...conflict, status: "RESOLVED", resolution }, record, written };
}
