/**
 * Relative stock movements ("add −2 to the level"), as BigCommerce sends them with
 * `method: "relative"`, applied **exactly once** by event id and **never across a newer absolute
 * value**, without transactions.
 *
 * How: the inventory record carries a small ledger (`SyncRecord.deltas`): the `sourceTs` of the
 * absolute level it builds on, and the event ids of the movements applied since. A movement is decided
 * against the record it will be written over, inside the write path's read → decide → conditional-write
 * loop, so the ledger and the new level are written in the same single-item conditional `PutItem`:
 *
 * - movement older than (or as old as) the absolute level → `stale` (the level already reflects it);
 * - movement already in the ledger → `duplicate` (SQS redelivery, DLQ redrive, replay);
 * - otherwise the level moves by `delta` (negative-stock policy applied to the result), the event id
 *   is added to the ledger, `updated`.
 *
 * The next absolute write (a pull, a file, an absolute webhook) builds a fresh record without the
 * ledger: its time becomes the new base, so every movement before it is stale from then on. The ledger
 * keeps the last {@link MAX_REMEMBERED_DELTAS} movements; a movement at or before the newest one it
 * forgot is reported stale (the next absolute value corrects the level).
 */
import type { NegativeStockPolicy } from "./business-rules.ts";
import type { Change } from "./change.ts";
import type { Decision } from "./conflict-rules.ts";
import { contentHash } from "./content-hash.ts";
import { normalizeKey } from "./keys.ts";
import type { Source, Workflow } from "./model.ts";
import { type DeltaLedger, recordContentHash, type SyncRecord } from "./record.ts";
import type { InventoryDeltaMapping } from "./webhooks/results.ts";

/** Movements remembered per inventory record between two absolute levels (about 60 bytes each). */
export const MAX_REMEMBERED_DELTAS = 100;

/** @returns a change that moves an inventory level by `delta.delta` (see the module comment). */
export function inventoryDeltaChange(
  delta: InventoryDeltaMapping,
  ctx: { readonly vendorId: string; readonly jobId: string; readonly workflow: Workflow; readonly source: Source },
): Change {
  return {
    vendorId: ctx.vendorId,
    entityType: "inventory",
    entityKey: normalizeKey(delta.entityKey),
    op: "upsert",
    eventId: delta.eventId,
    sourceTs: delta.sourceTs,
    source: ctx.source,
    workflow: ctx.workflow,
    jobId: ctx.jobId,
    attributes: {},
    contentHash: contentHash({ op: "delta", delta: delta.delta }),
    delta: delta.delta,
  };
}

/** The `sourceTs` of the absolute level a record holds. */
function levelTs(record: SyncRecord): number {
  return record.deltas?.baseTs ?? record.fieldStamps?.available?.sourceTs ?? record.sourceTs;
}

/**
 * Decides a relative movement against the stored record (pure). Strategy-independent: a movement is
 * arithmetic on the stored level, not a competing value; only the negative-stock policy applies.
 *
 * @param change - a change with `delta` set.
 * @param now - wall-clock epoch ms for `updatedAt`.
 */
export function decideDelta(
  current: SyncRecord | undefined,
  change: Change,
  policy: { readonly negativeStock: NegativeStockPolicy },
  now: number,
): Decision {
  const delta = change.delta ?? 0;
  const available = current?.attributes.available;
  if (!current || current.deleted || typeof available !== "number") {
    return {
      action: "reject",
      outcome: "rejected",
      reason: `no stock level stored for ${change.entityKey} to apply a movement of ${delta} to`,
      field: "entityKey",
    };
  }
  const baseTs = levelTs(current);
  if (change.sourceTs <= baseTs) {
    return {
      action: "skip",
      outcome: "stale",
      reason: `the stored level was set at ${new Date(baseTs).toISOString()}, after this movement; it already reflects it`,
      conflictType: "timestamp",
    };
  }
  const ledger: DeltaLedger = current.deltas ?? { baseTs, applied: [] };
  if (ledger.applied.some((entry) => entry.eventId === change.eventId)) {
    return { action: "skip", outcome: "duplicate", reason: `movement ${change.eventId} already applied` };
  }
  if (ledger.floorTs !== undefined && change.sourceTs <= ledger.floorTs) {
    return {
      action: "skip",
      outcome: "stale",
      reason: `older than the ${MAX_REMEMBERED_DELTAS} movements remembered since the last absolute level`,
      conflictType: "timestamp",
    };
  }
  let next = available + delta;
  if (next < 0 && policy.negativeStock === "reject") {
    return {
      action: "reject",
      outcome: "rejected",
      reason: `moving ${available} by ${delta} gives a negative level`,
      rule: "negative-stock",
      field: "attributes.available",
    };
  }
  if (next < 0 && policy.negativeStock === "clamp") next = 0;
  if (next === available)
    return { action: "skip", outcome: "unchanged", reason: "the movement leaves the level as it is" };
  const applied = [...ledger.applied, { eventId: change.eventId, sourceTs: change.sourceTs }];
  const forgotten = applied.slice(0, Math.max(0, applied.length - MAX_REMEMBERED_DELTAS));
  const floorTs = Math.max(ledger.floorTs ?? Number.NEGATIVE_INFINITY, ...forgotten.map((entry) => entry.sourceTs));
  const newer = change.sourceTs > current.sourceTs;
  const attributes = { ...current.attributes, available: next };
  const stamp = { sourceTs: change.sourceTs, source: change.source, eventId: change.eventId };
  const fieldStamps = current.fieldStamps
    ? {
        ...current.fieldStamps,
        ...((current.fieldStamps.available?.sourceTs ?? Number.NEGATIVE_INFINITY) < change.sourceTs
          ? { available: stamp }
          : {}),
      }
    : undefined;
  const record: SyncRecord = {
    ...current,
    version: current.version + 1,
    ...(newer
      ? { sourceTs: change.sourceTs, source: change.source, lastEventId: change.eventId, sourceVersion: undefined }
      : {}),
    lastJobId: change.jobId,
    attributes,
    contentHash: recordContentHash(attributes, false),
    ...(fieldStamps ? { fieldStamps } : {}),
    deltas: {
      baseTs: ledger.baseTs,
      applied: applied.slice(-MAX_REMEMBERED_DELTAS),
      ...(Number.isFinite(floorTs) ? { floorTs } : {}),
    },
    updatedAt: now,
  };
  return { action: "write", outcome: "updated", record };
}
