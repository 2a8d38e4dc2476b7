import { readRows, syntaxOf } from "../adapters/file-rows.ts";
import type { ChangeInterpreter } from "../core/changes/interpreter.ts";
import type { RejectEntry } from "../core/changes/results.ts";
import { ValidationError } from "../core/errors.ts";
import { importRows } from "../core/import-pipeline.ts";
import { isDryRun, type JobItem, jobMode } from "../core/jobs/job.ts";
import type { SyncMessage } from "../core/jobs/messages.ts";
import type { BatchStarter, FileDropSource, StepStore } from "../core/jobs/ports.ts";
import type { SyncJobs } from "../core/jobs/sync-jobs.ts";
import { addCounts, emptyCounts, type JobStatus, statusFromCounts } from "../core/outcomes.ts";
import type { Log, ObjectStore } from "../core/ports.ts";
import type { VendorConfig } from "../core/vendor-config.ts";

export interface FileDropDeps {
  readonly store: StepStore;
  readonly jobs: Pick<SyncJobs, "finish">;
  /** The change interpreter: live mode for syncs, a dry-run session for dry runs. */
  readonly interpreter: Pick<ChangeInterpreter, "writeBatch" | "dryRun">;
  /** The source for a bucket name; absent when the deployment has no file-drop vendors. */
  readonly sources: ((bucket: string) => FileDropSource) | undefined;
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
 * The S3 file-drop connector's step: reads the files dropped since the last run (keys after the
 * vendor's `fileDropAfterKey`, lexical order) in the vendor's file format. Files up to `directMaxBytes`
 * stream through the shared write path here (the import pipeline, as `vendor-sync import` runs it);
 * the first larger one is handed to the batch workflow with the counts so far, and ends the run (the
 * files after it wait for the next run). The position moves forward when the job succeeds.
 */
export async function runFileDrop(
  deps: FileDropDeps,
  step: {
    readonly message: SyncMessage;
    readonly job: JobItem;
    readonly vendor: VendorConfig;
    readonly deadline: number;
    readonly leaseFor: () => number;
  },
): Promise<
  | { readonly kind: "done" }
  | {
      readonly kind: "continue";
      readonly resume: object;
      readonly tally: {
        counts: JobItem["counts"];
        rowsRead: number;
        pagesFetched: number;
        newestSourceTs: number | undefined;
      };
      readonly delayMs: number;
      readonly note?: string;
    }
> {
  const { job, vendor, message } = step;
  const channel = vendor.channels.fileDrop;
  const file = vendor.channels.file;
  if (!channel || !file)
    throw new ValidationError(`vendor ${vendor.id} has no file-drop channel`, { field: "channels.fileDrop" });
  if (!deps.sources) throw new ValidationError("this deployment reads no file drops", { field: "channels.fileDrop" });
  const source = deps.sources(channel.bucket);
  const resume: FileDropResume = job.resumeState
    ? (JSON.parse(job.resumeState) as FileDropResume)
    : { kind: "file-drop" };
  const base = job.stepBase ?? { counts: emptyCounts(), rowsRead: 0, pagesFetched: 0 };
  const tally = {
    counts: { ...base.counts },
    rowsRead: base.rowsRead,
    pagesFetched: base.pagesFetched,
    newestSourceTs: resume.newestSourceTs,
  };
  const startAfter =
    resume.afterKey ??
    (jobMode(job) === "incremental" ? (await deps.store.getVendorState(vendor.id)).fileDropAfterKey : undefined);
  const budget = channel.maxFilesPerRun - (resume.files ?? 0);
  const files = (
    await source.list(channel.prefix, { ...(startAfter ? { startAfter } : {}), limit: Math.max(budget, 0) })
  ).filter((f) => channel.suffixes.some((suffix) => f.key.endsWith(suffix)));
  let afterKey = resume.afterKey;
  let done = resume.files ?? 0;
  let keptRejects = resume.rejects ?? false;
  const dryRun = isDryRun(job);
  const writer = dryRun ? deps.interpreter.dryRun() : deps.interpreter;
  const finish = (status: Exclude<JobStatus, "QUEUED" | "RUNNING">, errorSummary?: string) =>
    deps.jobs.finish(job, {
      status,
      tally: {
        counts: tally.counts,
        rowsRead: tally.rowsRead,
        pagesFetched: tally.pagesFetched,
        ...(tally.newestSourceTs === undefined ? {} : { newestSourceTs: tally.newestSourceTs }),
      },
      ...(keptRejects ? { rejectsFile: `rejects/${vendor.id}/jobs/${job.jobId}/` } : {}),
      ...(afterKey !== undefined && !dryRun ? { watermark: { fileDropAfterKey: afterKey } } : {}),
      ...(errorSummary === undefined ? {} : { errorSummary }),
      guard: { step: message.step },
    });

  for (const dropped of files) {
    if (dropped.size > channel.directMaxBytes && deps.batch) {
      const { executionId } = await deps.batch.start({
        jobId: job.jobId,
        vendorId: vendor.id,
        trigger: job.trigger,
        dryRun,
        input: { kind: "vendor-file", bucket: channel.bucket, key: dropped.key, asOf: dropped.lastModified },
        baseCounts: tally.counts,
        rowsRead: tally.rowsRead,
        watermark: { fileDropAfterKey: dropped.key },
      });
      await deps.store.recordHandoff(
        job.jobId,
        message.step,
        { input: `${channel.bucket}/${dropped.key}`, executionId, changes: 0, at: deps.now() },
        { counts: tally.counts, rowsRead: tally.rowsRead, pagesFetched: tally.pagesFetched },
      );
      deps.log.info("large dropped file handed to the batch workflow", {
        jobId: job.jobId,
        key: dropped.key,
        executionId,
      });
      return { kind: "done" };
    }
    if (deps.now() + FILE_BUDGET_MS > step.deadline) {
      return {
        kind: "continue",
        resume: {
          kind: "file-drop",
          afterKey,
          files: done,
          rejects: keptRejects,
          newestSourceTs: tally.newestSourceTs,
        },
        tally,
        delayMs: 0,
        note: "deadline near; the next file in a follow-up",
      };
    }
    const rejects: RejectEntry[] = [];
    const before = { counts: { ...tally.counts }, rowsRead: tally.rowsRead };
    let summary: Awaited<ReturnType<typeof importRows>>;
    try {
      summary = await importRows(
        {
          vendor,
          jobId: job.jobId,
          workflow: job.workflow,
          source: "vendor:file",
          asOf: dropped.lastModified,
          syntax: syntaxOf(dropped.key),
          items: readRows(await source.open(dropped.key), {
            syntax: syntaxOf(dropped.key),
            encoding: file.encoding,
            delimiter: file.delimiter,
          }),
        },
        {
          writeBatch: (changes) => writer.writeBatch(changes),
          rejects: { add: (entry) => rejects.push(entry), close: async () => null },
          onProgress: async (progress) => {
            const reported = await deps.store.reportStep(job.jobId, message.step, {
              counts: addCounts(before.counts, progress.counts),
              rowsRead: before.rowsRead + progress.rowsRead,
              pagesFetched: tally.pagesFetched,
              heartbeatAt: deps.now(),
              leaseUntil: step.leaseFor(),
            });
            if (reported !== "ok") throw new CancelSignal(reported === "lost");
          },
        },
      );
    } catch (error) {
      if (!(error instanceof CancelSignal)) throw error;
      if (error.lost) return { kind: "done" };
      await finish("CANCELLED", "cancelled by an admin while running");
      return { kind: "done" };
    }
    tally.counts = addCounts(before.counts, summary.counts);
    tally.rowsRead = before.rowsRead + summary.rowsRead;
    tally.pagesFetched += 1;
    if (summary.newestSourceTs !== undefined && (tally.newestSourceTs ?? 0) < summary.newestSourceTs) {
      tally.newestSourceTs = summary.newestSourceTs;
    }
    if (rejects.length > 0) {
      keptRejects = true;
      await deps.objects.writeText(
        `rejects/${vendor.id}/jobs/${job.jobId}/file-${String(done + 1).padStart(6, "0")}.jsonl`,
        `${rejects.map((entry) => JSON.stringify({ file: dropped.key, ...entry })).join("\n")}\n`,
      );
    }
    if (summary.error)
      deps.log.warn("dropped file failed as a whole", { jobId: job.jobId, key: dropped.key, error: summary.error });
    afterKey = dropped.key;
    done += 1;
  }
  await finish(statusFromCounts(tally.counts));
  return { kind: "done" };
}
