import type { Change } from "./change.ts";
import { changeContext, intake } from "./changes/context.ts";
import { type ChangeResult, errorResult, type RejectEntry, refusedRow, resultBase } from "./changes/results.ts";
import { Tally } from "./changes/tally.ts";
import { ValidationError } from "./errors.ts";
import { type FileItem, type FileSyntax, fileError, normaliseFile, type RowReject } from "./formats/index.ts";
import type { Source, Workflow } from "./model.ts";
import { type JobStatus, type OutcomeCounts, statusFromCounts } from "./outcomes.ts";
import type { VendorConfig } from "./vendor-config.ts";

export type { RejectEntry } from "./changes/results.ts";

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
  const steps = normaliseFile(vendor, request.syntax, request.items);
  const context = changeContext(vendor, {
    workflow: request.workflow ?? "batch",
    jobId: request.jobId,
    source: request.source ?? "vendor:file",
    asOf: request.asOf,
  });

  const tally = new Tally();
  const counts = tally.counts;
  let rowsRead = 0;
  const buffers: Change[][] = Array.from({ length: lanes }, () => []);
  const running: (Promise<void> | undefined)[] = new Array(lanes).fill(undefined);

  /** Counts results and keeps the refused ones. */
  const record = (results: readonly ChangeResult[]) => {
    for (const entry of tally.add(results)) deps.rejects.add(entry);
  };
  const rejectRow = (r: RowReject) => record([refusedRow(vendor.id, r)]);

  const dispatch = async (lane: number) => {
    const batch = buffers[lane] as Change[];
    if (batch.length === 0) return;
    buffers[lane] = [];
    const previous = running[lane];
    const run = (async () => {
      await previous;
      try {
        const results = await deps.writeBatch(batch);
        record(results);
        deps.onResults?.(results);
      } catch (error) {
        // The batch read failed as a whole (after the store's retries): keep every change with the reason.
        record(batch.map((change) => ({ ...errorResult(resultBase(change), error), outcome: "failed" as const })));
      }
      await deps.onProgress?.({ rowsRead, counts });
    })();
    running[lane] = run;
    // Back-pressure: never more than one batch queued behind the running one per lane.
    if (previous) await previous;
  };

  const take = async (inputs: readonly unknown[]) => {
    for (const item of intake(inputs, context)) {
      if ("refused" in item) {
        record([item.refused]);
        continue;
      }
      const change = item.change;
      const lane = laneOf(`${change.entityType}\u001f${change.entityKey}`, lanes);
      (buffers[lane] as Change[]).push(change);
      if ((buffers[lane] as Change[]).length >= batchSize) await dispatch(lane);
    }
  };

  let error: string | undefined;
  try {
    for await (const step of steps) {
      if (step.kind === "unreadable") {
        rowsRead++;
        record([refusedRow(vendor.id, step)]);
        continue;
      }
      if (step.rowRead) rowsRead++;
      step.rows.rejects.forEach(rejectRow);
      await take(step.rows.changes);
    }
  } catch (caught) {
    if (!(caught instanceof ValidationError)) throw caught;
    error = fileError(caught);
  }
  for (let lane = 0; lane < lanes; lane++) await dispatch(lane);
  await Promise.all(running);
  const rejectsFile = await deps.rejects.close();
  return {
    status: error ? "FAILED" : statusFromCounts(counts),
    rowsRead,
    counts,
    rejectsFile,
    ...(tally.newestSourceTs === undefined ? {} : { newestSourceTs: tally.newestSourceTs }),
    ...(error ? { error } : {}),
  };
}
