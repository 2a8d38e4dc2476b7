import { type Change, toChange } from "./change.ts";
import { ValidationError } from "./errors.ts";
import { createNormaliser, type FileItem, type FileSyntax, type RowReject } from "./formats/index.ts";
import type { Source, Workflow } from "./model.ts";
import { countOutcome, emptyCounts, type JobStatus, type OutcomeCounts, statusFromCounts } from "./outcomes.ts";
import type { VendorConfig } from "./vendor-config.ts";
import type { ChangeResult } from "./write-path.ts";

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

/** Where rejected and failed changes are kept. */
export interface RejectSink {
  add(entry: RejectEntry): void;
  /** @returns where the rejects are, or `null` when there were none. */
  close(): Promise<string | null>;
}

/** Live progress, reported after every batch. */
export interface ImportProgress {
  readonly rowsRead: number;
  readonly counts: OutcomeCounts;
}

export interface ImportRequest {
  readonly vendor: VendorConfig;
  readonly jobId: string;
  readonly items: AsyncIterable<FileItem>;
  readonly syntax: FileSyntax;
  /** Event time for rows without one (the file's as-of time), epoch ms. */
  readonly asOf: number;
  /** @default "batch" */
  readonly workflow?: Workflow;
  /** @default "vendor:file" */
  readonly source?: Source;
  /** Changes per batch (one BatchGetItem each). @default 100 */
  readonly batchSize?: number;
  /** Batches in flight. @default the vendor's maxConcurrency */
  readonly concurrency?: number;
}

export interface ImportDeps {
  /** The shared write path (or, for a dry run, a planner with the same signature). */
  readonly writeBatch: (changes: readonly Change[]) => Promise<ChangeResult[]>;
  readonly rejects: RejectSink;
  readonly onProgress?: (progress: ImportProgress) => void | Promise<void>;
  /** Receives every change's result as its batch completes (reports, diffs, the demo). */
  readonly onResults?: (results: readonly ChangeResult[]) => void;
}

/** How an import ended. `counts.received` always equals the sum of the outcomes. */
export interface ImportSummary {
  readonly status: JobStatus;
  readonly rowsRead: number;
  readonly counts: OutcomeCounts;
  readonly rejectsFile: string | null;
  /** Newest `sourceTs` among accepted changes (freshness), epoch ms. */
  readonly newestSourceTs?: number;
  /** Why the job failed as a whole (bad header, unreadable file). */
  readonly error?: string;
}

/** FNV-1a: a cheap, stable lane for a record key. */
function laneOf(id: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % lanes;
}

/**
 * Streams a file through normalise → validate → write, in batches with bounded concurrency, and
 * reconciles the outcome counts. Changes to one record stay in file order (each record has one lane;
 * lanes run in parallel), so a file that edits a record twice ends with its last edit.
 * A bad row never stops the file: it is counted and kept in the rejects with its line and reason.
 */
export async function importRows(request: ImportRequest, deps: ImportDeps): Promise<ImportSummary> {
  const { vendor } = request;
  const batchSize = request.batchSize ?? 100;
  const lanes = Math.max(1, request.concurrency ?? vendor.maxConcurrency);
  const normaliser = createNormaliser(vendor.channels.file?.format ?? "canonical", request.syntax, {
    weightUnit: vendor.channels.file?.weightUnit,
  });
  const context = {
    vendorId: vendor.id,
    jobId: request.jobId,
    workflow: request.workflow ?? "batch",
    defaultSource: request.source ?? "vendor:file",
    defaultSourceTs: request.asOf,
    defaultCurrency: vendor.defaultCurrency,
    decimalSeparator: vendor.decimalSeparator,
    timeZone: vendor.timeZone,
    entityTypes: vendor.entityTypes,
  } as const;

  const counts = emptyCounts();
  let rowsRead = 0;
  let newestSourceTs: number | undefined;
  const buffers: Change[][] = Array.from({ length: lanes }, () => []);
  const running: (Promise<void> | undefined)[] = new Array(lanes).fill(undefined);

  const reject = (entry: RejectEntry) => {
    countOutcome(counts, entry.outcome);
    deps.rejects.add(entry);
  };
  const rejectRow = (r: RowReject) =>
    reject({ line: r.line, outcome: "rejected", reason: r.reason, field: r.field, entityKey: r.entityKey });

  const record = (results: readonly ChangeResult[], batch: readonly Change[]) => {
    results.forEach((result, i) => {
      if (result.outcome === "rejected" || result.outcome === "failed") {
        reject({
          line: result.line,
          outcome: result.outcome,
          reason: result.reason ?? result.outcome,
          field: result.field,
          entityType: result.entityType,
          entityKey: result.entityKey,
          eventId: result.eventId,
        });
        return;
      }
      countOutcome(counts, result.outcome);
      if (result.outcome === "created" || result.outcome === "updated" || result.outcome === "unchanged") {
        const ts = (batch[i] as Change).sourceTs;
        if (newestSourceTs === undefined || ts > newestSourceTs) newestSourceTs = ts;
      }
    });
  };

  const dispatch = async (lane: number) => {
    const batch = buffers[lane] as Change[];
    if (batch.length === 0) return;
    buffers[lane] = [];
    const previous = running[lane];
    const run = (async () => {
      await previous;
      try {
        const results = await deps.writeBatch(batch);
        record(results, batch);
        deps.onResults?.(results);
      } catch (error) {
        // The batch read failed as a whole (after the store's retries): keep every change with the reason.
        record(
          batch.map((change) => ({
            vendorId: change.vendorId,
            entityType: change.entityType,
            entityKey: change.entityKey,
            eventId: change.eventId,
            ...(change.line === undefined ? {} : { line: change.line }),
            outcome: "failed" as const,
            reason: error instanceof Error ? error.message : String(error),
          })),
          batch,
        );
      }
      await deps.onProgress?.({ rowsRead, counts });
    })();
    running[lane] = run;
    // Back-pressure: never more than one batch queued behind the running one per lane.
    if (previous) await previous;
  };

  const take = async (inputs: readonly unknown[]) => {
    for (const input of inputs) {
      let change: Change;
      try {
        change = toChange(input, context);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const raw = input as { line?: number; entityType?: string; entityKey?: unknown };
        reject({
          line: error.line ?? raw.line,
          outcome: "rejected",
          reason: error.message,
          field: error.field,
          entityType: typeof raw.entityType === "string" ? raw.entityType : undefined,
          entityKey: typeof raw.entityKey === "string" ? raw.entityKey : undefined,
        });
        continue;
      }
      const lane = laneOf(`${change.entityType}\u001f${change.entityKey}`, lanes);
      (buffers[lane] as Change[]).push(change);
      if ((buffers[lane] as Change[]).length >= batchSize) await dispatch(lane);
    }
  };

  let error: string | undefined;
  try {
    for await (const item of request.items) {
      if (item.kind === "header") {
        // An empty file has no header: it ends at once with zero counts.
        if (item.columns.length > 0) normaliser.header(item.columns);
      } else if (item.kind === "unreadable") {
        rowsRead++;
        reject({ line: item.line, outcome: "rejected", reason: item.reason });
      } else {
        rowsRead++;
        const out = normaliser.push(item.row);
        out.rejects.forEach(rejectRow);
        await take(out.changes);
      }
    }
    const rest = normaliser.flush();
    rest.rejects.forEach(rejectRow);
    await take(rest.changes);
  } catch (caught) {
    if (!(caught instanceof ValidationError)) throw caught;
    error = caught.line ? `line ${caught.line}: ${caught.message}` : caught.message;
  }
  for (let lane = 0; lane < lanes; lane++) await dispatch(lane);
  await Promise.all(running);
  const rejectsFile = await deps.rejects.close();
  return {
    status: error ? "FAILED" : statusFromCounts(counts),
    rowsRead,
    counts,
    rejectsFile,
    ...(newestSourceTs === undefined ? {} : { newestSourceTs }),
    ...(error ? { error } : {}),
  };
}
