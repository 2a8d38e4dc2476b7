import { createReadStream, statSync } from "node:fs";
import { basename, join } from "node:path";
import { Transform } from "node:stream";
import { ulid } from "ulid";
import { readRows, syntaxOf } from "../../lambdas/adapters/file-rows.ts";
import { ValidationError } from "../../lambdas/core/errors.ts";
import { type ImportProgress, importRows } from "../../lambdas/core/import-pipeline.ts";
import type { OutcomeCounts } from "../../lambdas/core/outcomes.ts";
import { FINAL_JOB_STATUSES, type JobStatus } from "../../lambdas/core/outcomes.ts";
import { parseTimestamp } from "../../lambdas/core/timestamps.ts";
import type { ChangeResult } from "../../lambdas/core/write-path.ts";
import { RejectFile } from "../reject-file.ts";
import type { Sandbox } from "../sandbox.ts";

/** The summary `vendor-sync import --json` prints: exactly this object on one line. */
export interface ImportResult {
  readonly jobId: string;
  readonly vendorId: string;
  readonly status: JobStatus;
  readonly rowsRead: number;
  readonly counts: OutcomeCounts;
  readonly durationMs: number;
  readonly rejectsFile: string | null;
  /** Why the job failed as a whole, when it did. */
  readonly error?: string;
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
  readonly progress?: ProgressReporter;
  /** Receives every change's result (the demo prints them). */
  readonly onResults?: (results: readonly ChangeResult[]) => void;
  /** Job heartbeat/progress interval, ms. @default 1000 */
  readonly progressIntervalMs?: number;
}

/**
 * Runs a batch sync of one CSV or JSON Lines file into the sandbox's store: a job is created, the
 * file streams through the shared write path, the job ends with reconciled counts.
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
  const asOf =
    options.asOf === undefined
      ? Math.floor(mtimeMs)
      : parseTimestamp(options.asOf, { field: "--as-of", timeZone: "UTC" });

  const jobId = ulid();
  const createdAt = Date.now();
  await sandbox.sync.createJob({
    jobId,
    vendorId: vendor.id,
    workflow: "batch",
    trigger: "cli",
    input: { file: basename(options.file), asOf },
    createdAt,
  });
  const startedAt = Date.now();
  await sandbox.sync.transitionJob(jobId, "RUNNING", { startedAt, heartbeatAt: startedAt });

  let bytesRead = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytesRead += chunk.length;
      callback(null, chunk);
    },
  });
  const stream = createReadStream(options.file).pipe(counter);
  const rejectsDir = join(sandbox.dataDir, "rejects");
  const interval = options.progressIntervalMs ?? 1000;
  let lastBeat = 0;
  options.progress?.start(size);
  let summary: Awaited<ReturnType<typeof importRows>>;
  try {
    const syntax = syntaxOf(options.file);
    summary = await importRows(
      {
        vendor,
        jobId,
        syntax,
        asOf,
        items: readRows(stream, {
          syntax,
          encoding: vendor.channels.file?.encoding,
          delimiter: vendor.channels.file?.delimiter,
        }),
      },
      {
        writeBatch: (changes) => sandbox.writer.writeBatch(changes),
        rejects: new RejectFile(join(rejectsDir, `${jobId}.jsonl`)),
        ...(options.onResults ? { onResults: options.onResults } : {}),
        onProgress: async (progress) => {
          options.progress?.update(bytesRead, progress);
          const now = Date.now();
          if (now - lastBeat >= interval) {
            lastBeat = now;
            await sandbox.sync.reportProgress(jobId, { ...progress, heartbeatAt: now });
          }
        },
      },
    );
  } catch (error) {
    options.progress?.stop();
    const finishedAt = Date.now();
    await sandbox.sync.transitionJob(jobId, "FAILED", {
      finishedAt,
      durationMs: finishedAt - startedAt,
      errorSummary: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  options.progress?.update(bytesRead, summary);
  options.progress?.stop();
  const finishedAt = Date.now();
  const durationMs = finishedAt - startedAt;
  await sandbox.sync.transitionJob(jobId, summary.status, {
    counts: summary.counts,
    rowsRead: summary.rowsRead,
    finishedAt,
    durationMs,
    rejectsFile: summary.rejectsFile,
    ...(summary.error ? { errorSummary: summary.error } : {}),
  });
  if (summary.status === "SUCCEEDED" || summary.status === "PARTIAL") {
    await sandbox.sync.recordSync(vendor.id, {
      finishedAt,
      ...(summary.newestSourceTs === undefined ? {} : { newestSourceTs: summary.newestSourceTs }),
    });
  }
  if (!FINAL_JOB_STATUSES.has(summary.status)) throw new Error(`job ${jobId} ended in ${summary.status}`);
  return {
    jobId,
    vendorId: vendor.id,
    status: summary.status,
    rowsRead: summary.rowsRead,
    counts: summary.counts,
    durationMs,
    rejectsFile: summary.rejectsFile,
    ...(summary.error ? { error: summary.error } : {}),
  };
}
