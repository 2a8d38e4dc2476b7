import { createReadStream, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { Transform } from "node:stream";
import { ulid } from "ulid";
import type { SourceOpener } from "../../lambdas/adapters/s3/uploads.ts";
import { buildExecutionInput } from "../../lambdas/core/batch/execution.ts";
import { jobKeys } from "../../lambdas/core/batch/layout.ts";
import type { TombstoneStats } from "../../lambdas/core/batch/model.ts";
import type { ChangeResult } from "../../lambdas/core/changes/results.ts";
import { ValidationError } from "../../lambdas/core/errors.ts";
import type { ImportProgress, RejectEntry } from "../../lambdas/core/import-pipeline.ts";
import { countOutcome, emptyCounts, type JobStatus, type OutcomeCounts } from "../../lambdas/core/outcomes.ts";
import { parseTimestamp } from "../../lambdas/core/timestamps.ts";
import type { BatchRunOutcome } from "../batch-runs.ts";
import { type LocalRunResult, runBatchLocally } from "../batch-workflow/run.ts";
import { sandboxStageHandlers } from "../batch-workflow/stage-handlers.ts";
import { FileObjectStore } from "../file-object-store.ts";
import type { Sandbox } from "../sandbox.ts";

/**
 * The summary `vendor-sync import --json` prints: exactly this object on one line. The first seven
 * fields are the contract; the rest describe dry runs, full snapshots and failed validations.
 */
export interface ImportResult {
  readonly jobId: string;
  readonly vendorId: string;
  readonly status: JobStatus;
  readonly rowsRead: number;
  readonly counts: OutcomeCounts;
  readonly durationMs: number;
  readonly rejectsFile: string | null;
  /** The first few rejects (line, field, reason), so a terminal shows why without opening the file. */
  readonly firstRejects?: readonly RejectEntry[];
  /** Why the job failed as a whole, when it did (a refused validation, an unreadable file). */
  readonly error?: string;
  readonly dryRun: boolean;
  readonly full: boolean;
  /** What the plan decided (dry runs and refused validations: nothing was written). */
  readonly planned?: OutcomeCounts;
  /** Per-record changes a dry run would make (JSON Lines). */
  readonly diffReport?: string;
  /** Full snapshots: records stored, already deleted, kept (newer than the file), tombstones planned, share. */
  readonly tombstones?: TombstoneStats & { readonly percent: number; readonly limitPercent: number };
}

/** Receives progress while a file streams in (a terminal progress bar, or nothing). */
export interface ProgressReporter {
  start(totalBytes: number): void;
  update(bytesRead: number, progress: ImportProgress): void;
  stop(): void;
}

export interface ImportFileOptions {
  readonly vendorId: string;
  readonly file: string;
  /** ISO 8601 as-of time for rows without their own time. @default the file's last-modified time */
  readonly asOf?: string;
  /** Stop after validation with a diff report; write nothing to the records. @default false */
  readonly dryRun?: boolean;
  /** The file is a full snapshot: records absent from it are tombstoned. @default false */
  readonly full?: boolean;
  readonly progress?: ProgressReporter;
  /** Receives every change's result (the demo prints them). */
  readonly onResults?: (results: readonly ChangeResult[]) => void;
  /** Told when a stage fails unexpectedly (the CLI prints the stack on stderr). */
  readonly onError?: (error: unknown) => void;
}

/** How many rejects an import's summary shows. */
export const FIRST_REJECTS = 3;

/** @returns the first `count` entries of a rejects file (JSON Lines), reading no further. */
async function readFirstRejects(file: string, count: number): Promise<RejectEntry[]> {
  const entries: RejectEntry[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    entries.push(JSON.parse(line) as RejectEntry);
    if (entries.length >= count) break;
  }
  lines.close();
  return entries;
}

/** The sandbox's imports bucket: `<data-dir>/bucket/`, or a temporary folder for an in-memory sandbox. */
export function sandboxBucket(sandbox: Sandbox): FileObjectStore {
  return new FileObjectStore(
    sandbox.dataDir ? join(sandbox.dataDir, "bucket") : mkdtempSync(join(tmpdir(), "vendor-sync-bucket-")),
  );
}

/**
 * Runs a batch sync of one CSV or JSON Lines file into the sandbox's store with the batch workflow's
 * own stage handlers (prepare → plan → validate → apply → commit), the same batch sizes and the
 * vendor's concurrency, on a folder instead of S3. Streaming throughout.
 *
 * @throws {ValidationError} for an unknown vendor, a missing file or a bad `--as-of` (nothing is started).
 */
export async function importFile(sandbox: Sandbox, options: ImportFileOptions): Promise<ImportResult> {
  const vendor = sandbox.vendor(options.vendorId);
  let size: number;
  let mtimeMs: number;
  try {
    const stat = statSync(options.file);
    if (!stat.isFile()) throw new Error("not a file");
    size = stat.size;
    mtimeMs = stat.mtimeMs;
  } catch {
    throw new ValidationError(`file not found: ${options.file}`, { field: "<file>", value: options.file });
  }
  const asOf = options.asOf === undefined ? null : parseTimestamp(options.asOf, { field: "--as-of", timeZone: "UTC" });
  const jobId = ulid();
  const store = sandboxBucket(sandbox);
  const dryRun = options.dryRun ?? false;
  const full = options.full ?? false;

  let bytesRead = 0;
  const live = { rowsRead: 0, counts: emptyCounts() };
  const observe = (results: readonly ChangeResult[]) => {
    for (const result of results) countOutcome(live.counts, result.outcome);
    options.onResults?.(results);
    options.progress?.update(bytesRead, live);
  };
  const openSource: SourceOpener = async (source) => {
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesRead += chunk.length;
        options.progress?.update(bytesRead, live);
        callback(null, chunk);
      },
    });
    return { body: createReadStream(source.key).pipe(counter), lastModified: Math.floor(mtimeMs), size };
  };
  const handlers = sandboxStageHandlers({
    vendors: { get: (id: string) => sandbox.vendor(id) },
    client: sandbox.dynamo.client,
    recordsTableName: sandbox.dynamo.tables.records,
    jobs: sandbox.sync,
    records: sandbox.records,
    interpreter: sandbox.interpreter,
    store,
    openSource,
    observe,
    dryRun,
  });

  options.progress?.start(size);
  const input = buildExecutionInput({
    vendor,
    jobId,
    source: { bucket: "local", key: resolve(options.file) },
    trigger: "cli",
    asOf,
    full,
    dryRun,
  });
  let run: BatchRunOutcome<LocalRunResult>;
  try {
    // Owned by this process (an interrupted import is ended by the next one); `job --cancel` stops it.
    run = await sandbox.scheduled.batchRuns.run(input, (signal) =>
      runBatchLocally(input, handlers, store, { signal, ...(options.onError ? { onError: options.onError } : {}) }),
    );
  } finally {
    options.progress?.stop();
    // Lifecycle rules expire these on AWS; the sandbox keeps only the rejects and the diff report.
    for (const prefix of jobKeys(vendor.id, jobId).workPrefixes) await store.removePrefix(prefix);
  }
  if (run.kind === "stopped") {
    const job = await sandbox.sync.getJob(jobId);
    return {
      jobId,
      vendorId: vendor.id,
      status: job?.status ?? "CANCELLED",
      rowsRead: run.ended.rowsRead,
      counts: run.ended.counts,
      durationMs: job?.durationMs ?? 0,
      rejectsFile: run.ended.rejectsFile,
      error: job?.errorSummary ?? "cancelled",
      dryRun,
      full,
    };
  }
  const outcome = run.result;
  if (outcome.kind === "caught") {
    const job = await sandbox.sync.getJob(jobId);
    return {
      jobId,
      vendorId: vendor.id,
      status: "FAILED",
      rowsRead: job?.rowsRead ?? 0,
      counts: job?.counts ?? emptyCounts(),
      durationMs: job?.durationMs ?? 0,
      rejectsFile: null,
      error: outcome.error,
      dryRun,
      full,
    };
  }
  const r = outcome.result;
  const firstRejects = r.rejectsFile ? await readFirstRejects(r.rejectsFile, FIRST_REJECTS) : [];
  return {
    jobId,
    vendorId: r.vendorId,
    status: r.status,
    rowsRead: r.rowsRead,
    counts: r.counts,
    durationMs: r.durationMs,
    rejectsFile: r.rejectsFile,
    ...(firstRejects.length > 0 ? { firstRejects } : {}),
    ...(r.error ? { error: r.error } : {}),
    dryRun: r.dryRun,
    full: r.full,
    ...(r.dryRun || r.error ? { planned: r.planned } : {}),
    ...(r.diffReport ? { diffReport: r.diffReport } : {}),
    ...(r.tombstones ? { tombstones: r.tombstones } : {}),
  };
}
