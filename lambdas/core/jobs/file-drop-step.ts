/**
 * The S3 file-drop connector's step: reads the files dropped since the last run (keys after the
 * vendor's `fileDropAfterKey`, lexical order) in the vendor's file format. Files up to `directMaxBytes`
 * stream through the shared write path here (the import pipeline, as `vendor-sync import` runs it);
 * the first larger one is handed to the batch workflow with the counts so far, and ends the run (the
 * files after it wait for the next run). The position moves forward when the job succeeds.
 */
import type { Readable } from "node:stream";
import type { ChangeInterpreter } from "../changes/interpreter.ts";
import type { RejectEntry } from "../changes/results.ts";
import type { TallyState } from "../changes/tally.ts";
import { ValidationError } from "../errors.ts";
import type { FileItem, FileSyntax } from "../formats/index.ts";
import { importRows } from "../import-pipeline.ts";
import { addCounts, emptyCounts, type JobStatus, type OutcomeCounts, statusFromCounts } from "../outcomes.ts";
import type { Log, ObjectStore } from "../ports.ts";
import { isDryRun, jobMode } from "./job.ts";
import type { BatchStarter, DroppedFile, FileDropSource, StepStore } from "./ports.ts";
import { rejectsPrefix, type StepEnd, type StepRun } from "./step.ts";
import type { SyncJobs } from "./sync-jobs.ts";

/** Reads a file's rows in a vendor's file format (`adapters/file-rows.ts` on AWS and in the sandbox). */
export interface FileRowReader {
  /** @returns the syntax a file name says (`jsonl` for `.jsonl`/`.ndjson`, else `csv`). */
  syntaxOf(fileName: string): FileSyntax;
  /** Decodes and splits a byte stream into rows. */
  readRows(
    stream: Readable,
    options: { readonly syntax: FileSyntax; readonly encoding?: string; readonly delimiter?: string },
  ): AsyncIterable<FileItem>;
}

/** Where dropped files are read: a source per bucket, and the reader of their rows. */
export interface FileDrops {
  /** The source for a bucket name (S3 on AWS, a folder in the sandbox). */
  readonly source: (bucket: string) => FileDropSource;
  readonly rows: FileRowReader;
}

/** What the file-drop step needs. */
export interface FileDropDeps {
  readonly store: StepStore;
  readonly jobs: Pick<SyncJobs, "finish">;
  /** The change interpreter: live mode for syncs, a dry-run session for dry runs. */
  readonly interpreter: Pick<ChangeInterpreter, "writeBatch" | "dryRun">;
  /** Where dropped files are read; absent when the deployment has no file-drop vendors. */
  readonly drops: FileDrops | undefined;
  /** Where rejects are kept. */
  readonly objects: ObjectStore;
  readonly batch?: BatchStarter;
  readonly now: () => number;
  readonly log: Log;
}

/** Where a file-drop step resumes (the job's `resumeState`). */
interface FileDropResume {
  readonly kind: "file-drop";
  /** The last file done in this run. */
  readonly afterKey?: string;
  /** Files done in this run. */
  readonly files?: number;
  readonly newestSourceTs?: number;
  readonly rejects?: boolean;
}

/** Time a directly imported file must have left before the deadline (files are at most `directMaxBytes`). */
const FILE_BUDGET_MS = 60_000;

class CancelSignal extends Error {
  constructor(readonly lost: boolean) {
    super(lost ? "lost" : "cancel");
    this.name = "CancelSignal";
  }
}

/**
 * Runs one file-drop step of a job: the dropped files after the job's (or vendor's) position, up to
 * `maxFilesPerRun`.
 * @throws {ValidationError} when the vendor has no file-drop channel or the deployment reads no drops.
 */
export async function runFileDropStep(deps: FileDropDeps, run: StepRun): Promise<StepEnd> {
  const { vendor } = run;
  const channel = vendor.channels.fileDrop;
  const file = vendor.channels.file;
  if (!channel || !file)
    throw new ValidationError(`vendor ${vendor.id} has no file-drop channel`, { field: "channels.fileDrop" });
  if (!deps.drops) throw new ValidationError("this deployment reads no file drops", { field: "channels.fileDrop" });
  return new FileDropStep(deps, run, deps.drops.source(channel.bucket), deps.drops.rows).run();
}

/** One invocation's file drop: the files it imports, hands off, or leaves to a follow-up. */
class FileDropStep {
  readonly #deps: FileDropDeps;
  readonly #run: StepRun;
  readonly #source: FileDropSource;
  readonly #rows: FileRowReader;
  readonly #resume: FileDropResume;
  readonly #tally: { counts: OutcomeCounts; rowsRead: number; pagesFetched: number; newestSourceTs?: number };
  #afterKey: string | undefined;
  #done: number;
  #keptRejects: boolean;

  constructor(deps: FileDropDeps, run: StepRun, source: FileDropSource, rows: FileRowReader) {
    this.#deps = deps;
    this.#run = run;
    this.#source = source;
    this.#rows = rows;
    const { job } = run;
    this.#resume = job.resumeState ? (JSON.parse(job.resumeState) as FileDropResume) : { kind: "file-drop" };
    const base = job.stepBase ?? { counts: emptyCounts(), rowsRead: 0, pagesFetched: 0 };
    this.#tally = { counts: { ...base.counts }, rowsRead: base.rowsRead, pagesFetched: base.pagesFetched };
    if (this.#resume.newestSourceTs !== undefined) this.#tally.newestSourceTs = this.#resume.newestSourceTs;
    this.#afterKey = this.#resume.afterKey;
    this.#done = this.#resume.files ?? 0;
    this.#keptRejects = this.#resume.rejects ?? false;
  }

  get #channel() {
    return this.#run.vendor.channels.fileDrop as NonNullable<StepRun["vendor"]["channels"]["fileDrop"]>;
  }

  async run(): Promise<StepEnd> {
    for (const dropped of await this.#files()) {
      if (dropped.size > this.#channel.directMaxBytes && this.#deps.batch) {
        await this.#handOff(this.#deps.batch, dropped);
        return { kind: "done" };
      }
      if (this.#deps.now() + FILE_BUDGET_MS > this.#run.deadline) return this.#continue();
      const imported = await this.#import(dropped);
      if (imported !== "ok") return { kind: "done" };
    }
    await this.#finish(statusFromCounts(this.#tally.counts));
    return { kind: "done" };
  }

  /** The dropped files after the position, in key order, with the channel's suffixes, within the run's budget. */
  async #files(): Promise<DroppedFile[]> {
    const { job, vendor } = this.#run;
    const channel = this.#channel;
    const startAfter =
      this.#resume.afterKey ??
      (jobMode(job) === "incremental"
        ? (await this.#deps.store.getVendorState(vendor.id)).fileDropAfterKey
        : undefined);
    const budget = channel.maxFilesPerRun - (this.#resume.files ?? 0);
    const files = await this.#source.list(channel.prefix, {
      ...(startAfter ? { startAfter } : {}),
      limit: Math.max(budget, 0),
    });
    return files.filter((f) => channel.suffixes.some((suffix) => f.key.endsWith(suffix)));
  }

  /** Hands a large file to the batch workflow with the counts so far; the run ends there. */
  async #handOff(batch: BatchStarter, dropped: DroppedFile): Promise<void> {
    const { job, vendor, message } = this.#run;
    const channel = this.#channel;
    const tally = this.#tally;
    const { executionId } = await batch.start({
      jobId: job.jobId,
      vendorId: vendor.id,
      trigger: job.trigger,
      dryRun: isDryRun(job),
      input: { kind: "vendor-file", bucket: channel.bucket, key: dropped.key, asOf: dropped.lastModified },
      baseCounts: tally.counts,
      rowsRead: tally.rowsRead,
      watermark: { fileDropAfterKey: dropped.key },
    });
    await this.#deps.store.recordHandoff(
      job.jobId,
      message.step,
      { input: `${channel.bucket}/${dropped.key}`, executionId, changes: 0, at: this.#deps.now() },
      { counts: tally.counts, rowsRead: tally.rowsRead, pagesFetched: tally.pagesFetched },
    );
    this.#deps.log.info("large dropped file handed to the batch workflow", {
      jobId: job.jobId,
      key: dropped.key,
      executionId,
    });
  }

  /**
   * Imports one file through the import pipeline, reporting progress (which sees cancel requests).
   * @returns `"ok"`, or `"stopped"` when the job was cancelled (and ended) or moved on without this step.
   */
  async #import(dropped: DroppedFile): Promise<"ok" | "stopped"> {
    const { job, vendor, message } = this.#run;
    const rows = this.#rows;
    const file = vendor.channels.file as NonNullable<typeof vendor.channels.file>;
    const writer = isDryRun(job) ? this.#deps.interpreter.dryRun() : this.#deps.interpreter;
    const tally = this.#tally;
    const rejects: RejectEntry[] = [];
    const before = { counts: { ...tally.counts }, rowsRead: tally.rowsRead };
    const syntax = rows.syntaxOf(dropped.key);
    let summary: Awaited<ReturnType<typeof importRows>>;
    try {
      summary = await importRows(
        {
          vendor,
          jobId: job.jobId,
          workflow: job.workflow,
          source: "vendor:file",
          asOf: dropped.lastModified,
          syntax,
          items: rows.readRows(await this.#source.open(dropped.key), {
            syntax,
            encoding: file.encoding,
            delimiter: file.delimiter,
          }),
        },
        {
          writeBatch: (changes) => writer.writeBatch(changes),
          rejects: { add: (entry) => rejects.push(entry), close: async () => null },
          onProgress: async (progress) => {
            const reported = await this.#deps.store.reportStep(job.jobId, message.step, {
              counts: addCounts(before.counts, progress.counts),
              rowsRead: before.rowsRead + progress.rowsRead,
              pagesFetched: tally.pagesFetched,
              heartbeatAt: this.#deps.now(),
              leaseUntil: this.#run.leaseFor(),
            });
            if (reported !== "ok") throw new CancelSignal(reported === "lost");
          },
        },
      );
    } catch (error) {
      if (!(error instanceof CancelSignal)) throw error;
      if (!error.lost) await this.#finish("CANCELLED", "cancelled by an admin while running");
      return "stopped";
    }
    tally.counts = addCounts(before.counts, summary.counts);
    tally.rowsRead = before.rowsRead + summary.rowsRead;
    tally.pagesFetched += 1;
    if (summary.newestSourceTs !== undefined && (tally.newestSourceTs ?? 0) < summary.newestSourceTs) {
      tally.newestSourceTs = summary.newestSourceTs;
    }
    await this.#keepRejects(dropped, rejects);
    if (summary.error)
      this.#deps.log.warn("dropped file failed as a whole", {
        jobId: job.jobId,
        key: dropped.key,
        error: summary.error,
      });
    this.#afterKey = dropped.key;
    this.#done += 1;
    return "ok";
  }

  async #keepRejects(dropped: DroppedFile, rejects: readonly RejectEntry[]): Promise<void> {
    if (rejects.length === 0) return;
    this.#keptRejects = true;
    await this.#deps.objects.writeText(
      `${rejectsPrefix(this.#run.job)}file-${String(this.#done + 1).padStart(6, "0")}.jsonl`,
      `${rejects.map((entry) => JSON.stringify({ file: dropped.key, ...entry })).join("\n")}\n`,
    );
  }

  /** The deadline is near: the next file in a follow-up. */
  #continue(): StepEnd {
    const tally = this.#tally;
    return {
      kind: "continue",
      resume: {
        kind: "file-drop",
        afterKey: this.#afterKey,
        files: this.#done,
        rejects: this.#keptRejects,
        newestSourceTs: tally.newestSourceTs,
      },
      tally: this.#tallyState(),
      delayMs: 0,
      note: "deadline near; the next file in a follow-up",
    };
  }

  #tallyState(): TallyState {
    const tally = this.#tally;
    return {
      counts: tally.counts,
      rowsRead: tally.rowsRead,
      pagesFetched: tally.pagesFetched,
      ...(tally.newestSourceTs === undefined ? {} : { newestSourceTs: tally.newestSourceTs }),
    };
  }

  async #finish(status: Exclude<JobStatus, "QUEUED" | "RUNNING">, errorSummary?: string): Promise<void> {
    const { job, message } = this.#run;
    await this.#deps.jobs.finish(job, {
      status,
      tally: this.#tallyState(),
      ...(this.#keptRejects ? { rejectsFile: rejectsPrefix(job) } : {}),
      ...(this.#afterKey !== undefined && !isDryRun(job) ? { watermark: { fileDropAfterKey: this.#afterKey } } : {}),
      ...(errorSummary === undefined ? {} : { errorSummary }),
      guard: { step: message.step },
    });
  }
}
