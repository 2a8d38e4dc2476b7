import pLimit from "p-limit";
import type { Change } from "../change.ts";
import { errorKind, ValidationError, VendorSyncError } from "../errors.ts";
import type { RejectEntry } from "../import-pipeline.ts";
import { recordId } from "../model.ts";
import { countOutcome, emptyCounts } from "../outcomes.ts";
import type { RecordStore } from "../ports.ts";
import type { ChangeResult, ChangeWriter } from "../write-path.ts";
import { LazyJsonLines, parseJsonLine, readJson } from "./json-lines.ts";
import { jobKeys } from "./layout.ts";
import type { ApplyPartResult, ManifestItem, PlannedEntry } from "./model.ts";
import type { ObjectStore } from "./ports.ts";

export interface ApplyDeps {
  readonly store: ObjectStore;
  readonly records: Pick<RecordStore, "get" | "put">;
  /** The shared write path, for changes whose record moved since plan and for reviews. */
  readonly writer: Pick<ChangeWriter, "writeBatch">;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
  /** Records written in parallel within a part. @default 16 */
  readonly writeConcurrency?: number;
  /** Receives every applied change's result (the sandbox's demo shows them). */
  readonly observe?: (results: readonly ChangeResult[]) => void;
}

export interface ApplyRequest {
  readonly vendorId: string;
  readonly jobId: string;
  /** The apply Map's `Items`: change-set parts. */
  readonly parts: readonly ManifestItem[];
}

/** A stored result, and whether this call did the work or found it done (a redriven batch). */
export interface AppliedPart extends ApplyPartResult {
  readonly reused: boolean;
}

function base(change: Change) {
  return {
    vendorId: change.vendorId,
    entityType: change.entityType,
    entityKey: change.entityKey,
    eventId: change.eventId,
    ...(change.line === undefined ? {} : { line: change.line }),
  };
}

/**
 * Applies one record's planned entries in order. The fast path writes the planned record with a
 * single conditional PutItem on the version it was planned against (no second read). When that
 * condition fails the record moved since plan: if this job itself already wrote this change (a
 * retried or redriven batch), the planned outcome stands; otherwise the change goes through the
 * shared write path, which re-reads and decides again — so a newer webhook write is never
 * overwritten by an older file row. Once a record diverged, its later entries take that path too.
 */
async function applyRecord(entries: readonly PlannedEntry[], jobId: string, deps: ApplyDeps): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  let diverged = false;
  for (const entry of entries) {
    const change = entry.change;
    if (entry.action === "review" || diverged) {
      const [result] = await deps.writer.writeBatch([change]);
      results.push(result as ChangeResult);
      continue;
    }
    const now = deps.now();
    const record = {
      ...entry.record,
      updatedAt: now,
      createdAt: entry.expectedVersion === undefined ? now : entry.record.createdAt,
    };
    try {
      const written = await deps.records.put(record, entry.expectedVersion);
      if (written === "written") {
        results.push({ ...base(change), outcome: entry.outcome, version: record.version, record });
        continue;
      }
      const current = await deps.records.get(change, { consistent: true });
      if (current && current.lastJobId === jobId && current.lastEventId === change.eventId) {
        results.push({ ...base(change), outcome: entry.outcome, version: current.version });
        continue;
      }
      diverged = true;
      const [result] = await deps.writer.writeBatch([change]);
      results.push(result as ChangeResult);
    } catch (error) {
      diverged = true;
      const message = error instanceof Error ? error.message : String(error);
      results.push(
        error instanceof ValidationError
          ? {
              ...base(change),
              outcome: "rejected",
              reason: message,
              errorKind: error.kind,
              ...(error.field ? { field: error.field } : {}),
            }
          : {
              ...base(change),
              outcome: "failed",
              reason: message,
              errorKind: errorKind(error),
              retryable: error instanceof VendorSyncError ? error.retryable : true,
            },
      );
    }
  }
  return results;
}

async function applyPart(part: ManifestItem, request: ApplyRequest, deps: ApplyDeps): Promise<AppliedPart> {
  const keys = jobKeys(request.vendorId, request.jobId);
  const resultKey = keys.applyResult(part.partId);
  const done = await readJson<ApplyPartResult>(deps.store, resultKey);
  if (done) return { ...done, reused: true };

  const groups = new Map<string, PlannedEntry[]>();
  for await (const line of deps.store.readLines(part.key)) {
    const entry = parseJsonLine<PlannedEntry>(line);
    if (!entry) continue;
    const id = recordId(entry.change);
    const group = groups.get(id);
    if (group) group.push(entry);
    else groups.set(id, [entry]);
  }
  const limit = pLimit(deps.writeConcurrency ?? 16);
  const results = (
    await Promise.all([...groups.values()].map((entries) => limit(() => applyRecord(entries, request.jobId, deps))))
  ).flat();

  const counts = emptyCounts();
  let newestSourceTs: number | undefined;
  const rejects = new LazyJsonLines(deps.store, keys.applyRejects(part.partId));
  const sourceTsOf = new Map<string, number>();
  for (const entries of groups.values())
    for (const e of entries) sourceTsOf.set(`${recordId(e.change)}\u001f${e.change.eventId}`, e.change.sourceTs);
  for (const result of results) {
    countOutcome(counts, result.outcome);
    if (result.outcome === "created" || result.outcome === "updated" || result.outcome === "unchanged") {
      const ts = sourceTsOf.get(`${recordId(result)}\u001f${result.eventId}`);
      if (ts !== undefined && (newestSourceTs === undefined || ts > newestSourceTs)) newestSourceTs = ts;
    }
    if (result.outcome === "rejected" || result.outcome === "failed") {
      const entry: RejectEntry = {
        ...(result.line === undefined ? {} : { line: result.line }),
        outcome: result.outcome,
        reason: result.reason ?? result.outcome,
        ...(result.field ? { field: result.field } : {}),
        entityType: result.entityType,
        entityKey: result.entityKey,
        eventId: result.eventId,
      };
      await rejects.add(entry);
    }
  }
  const stored: ApplyPartResult = {
    partId: part.partId,
    counts,
    ...(newestSourceTs === undefined ? {} : { newestSourceTs }),
    rejectsKey: await rejects.close(),
  };
  // Written last: a part with a stored result is never applied or counted again.
  await deps.store.writeText(resultKey, JSON.stringify(stored));
  deps.observe?.(results.map(({ record: _record, ...result }) => result));
  return { ...stored, reused: false };
}

/**
 * The apply Map's child: applies change-set parts (tombstones are parts of their own, applied after
 * every other part) and stores each part's result under its id. A part whose result is already
 * stored is skipped, so a retried or redriven batch never counts twice; a part interrupted half-way
 * is applied again safely (see {@link applyRecord}).
 *
 * @throws when the store fails for a whole part (the Map retries the child).
 */
export async function applyParts(request: ApplyRequest, deps: ApplyDeps): Promise<AppliedPart[]> {
  const out: AppliedPart[] = [];
  for (const part of request.parts) out.push(await applyPart(part, request, deps));
  return out;
}
