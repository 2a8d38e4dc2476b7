import { Readable } from "node:stream";
import * as v from "valibot";
import type { DynamoSyncStore } from "../lambdas/adapters/dynamodb/sync-store.ts";
import { readRows, syntaxOf } from "../lambdas/adapters/file-rows.ts";
import { handoffExecutionName } from "../lambdas/adapters/sfn/sfn-batch-starter.ts";
import { importRows, type RejectEntry } from "../lambdas/core/import-pipeline.ts";
import { HandoffManifestSchema } from "../lambdas/core/jobs/messages.ts";
import type { BatchHandoffRequest, BatchStarter, FileDropSource } from "../lambdas/core/jobs/ports.ts";
import type { SyncJobs } from "../lambdas/core/jobs/sync-jobs.ts";
import { addCounts, statusFromCounts } from "../lambdas/core/outcomes.ts";
import type { Log, ObjectStore } from "../lambdas/core/ports.ts";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import type { ChangeWriter } from "../lambdas/core/write-path.ts";

export interface LocalBatchRunnerDeps {
  readonly jobs: SyncJobs;
  readonly store: Pick<DynamoSyncStore, "reportProgress">;
  /** Where staged parts and manifests are (the archive folder). */
  readonly objects: ObjectStore;
  readonly vendor: (vendorId: string) => VendorConfig;
  readonly writer: Pick<ChangeWriter, "writeBatch">;
  readonly dryRunWriter: Pick<ChangeWriter, "writeBatch">;
  readonly fileDrops: (bucket: string) => FileDropSource;
  readonly log: Log;
}

/**
 * The sandbox's stand-in for starting the batch workflow on a pull's hand-off: runs it in this
 * process with the streaming import pipeline (`vendor-sync import`'s runner) under the pull's job,
 * adds its outcomes to the hand-off's base counts and finishes the job like the state machine's
 * commit step does. Started once per job (in memory and by a marker object next to the manifest),
 * in the background, as an execution would be.
 */
export class LocalBatchRunner implements BatchStarter {
  readonly #deps: LocalBatchRunnerDeps;
  readonly #runs = new Map<string, Promise<void>>();

  constructor(deps: LocalBatchRunnerDeps) {
    this.#deps = deps;
  }

  async start(request: BatchHandoffRequest): Promise<{ executionId: string }> {
    const executionId = `local:${handoffExecutionName(request.jobId)}`;
    const marker = `pulls/${request.vendorId}/${request.jobId}/execution.json`;
    if (this.#runs.has(request.jobId) || (await this.#deps.objects.readText(marker)) !== undefined)
      return { executionId };
    await this.#deps.objects.writeText(marker, JSON.stringify({ executionId, request }));
    this.#runs.set(
      request.jobId,
      this.#run(request).catch((error: unknown) =>
        this.#deps.log.error("local batch run failed", { jobId: request.jobId, error: String(error) }),
      ),
    );
    return { executionId };
  }

  /** Resolves when every run started so far has ended. */
  async idle(): Promise<void> {
    while ([...this.#runs.values()].length > 0) {
      const runs = [...this.#runs.entries()];
      await Promise.all(runs.map(([, run]) => run));
      for (const [jobId] of runs) this.#runs.delete(jobId);
    }
  }

  async #run(request: BatchHandoffRequest): Promise<void> {
    const { jobs, objects } = this.#deps;
    const job = await jobs.get(request.jobId);
    const vendor = this.#deps.vendor(request.vendorId);
    const rejects: RejectEntry[] = [];
    const isPull = request.input.kind === "pull-manifest";
    try {
      let stream: Readable;
      let syntax: "csv" | "jsonl";
      let asOf: number;
      let importAs = vendor;
      if (request.input.kind === "pull-manifest") {
        const text = await objects.readText(request.input.manifestKey);
        if (text === undefined) throw new Error(`hand-off manifest ${request.input.manifestKey} is missing`);
        const manifest = v.parse(HandoffManifestSchema, JSON.parse(text));
        stream = Readable.from(
          (async function* () {
            for (const part of manifest.parts) yield (await objects.readText(part.key)) ?? "";
          })(),
        );
        syntax = "jsonl";
        asOf = manifest.asOf;
        // The parts are canonical JSON Lines whatever the vendor's own file format.
        importAs = {
          ...vendor,
          channels: {
            ...vendor.channels,
            file: { format: "canonical", encoding: "utf-8", delimiter: ",", weightUnit: "kg" },
          },
        };
      } else {
        stream = await this.#deps.fileDrops(request.input.bucket).open(request.input.key);
        syntax = syntaxOf(request.input.key);
        asOf = request.input.asOf;
      }
      const summary = await importRows(
        {
          vendor: importAs,
          jobId: job.jobId,
          workflow: job.workflow,
          source: isPull ? "vendor:pull" : "vendor:file",
          asOf,
          syntax,
          items: readRows(stream, {
            syntax,
            encoding: importAs.channels.file?.encoding,
            delimiter: importAs.channels.file?.delimiter,
          }),
        },
        {
          writeBatch: (changes) => (request.dryRun ? this.#deps.dryRunWriter : this.#deps.writer).writeBatch(changes),
          rejects: { add: (entry) => rejects.push(entry), close: async () => null },
          onProgress: async (progress) => {
            await this.#deps.store.reportProgress(job.jobId, {
              counts: addCounts(request.baseCounts, progress.counts),
              rowsRead: request.rowsRead + (isPull ? 0 : progress.rowsRead),
              heartbeatAt: Date.now(),
            });
          },
        },
      );
      const rejectsKey = `rejects/${vendor.id}/jobs/${job.jobId}/batch.jsonl`;
      if (rejects.length > 0) {
        await objects.writeText(rejectsKey, `${rejects.map((entry) => JSON.stringify(entry)).join("\n")}\n`);
      }
      const counts = addCounts(request.baseCounts, summary.counts);
      await jobs.finish(job, {
        status: summary.error ? "FAILED" : statusFromCounts(counts),
        counts,
        rowsRead: request.rowsRead + (isPull ? 0 : summary.rowsRead),
        ...(summary.newestSourceTs === undefined ? {} : { newestSourceTs: summary.newestSourceTs }),
        ...(rejects.length > 0 ? { rejectsFile: rejectsKey } : {}),
        ...(summary.error ? { errorSummary: summary.error } : {}),
        ...(request.watermark?.pullWatermark === undefined ? {} : { pullWatermark: request.watermark.pullWatermark }),
        ...(request.watermark?.fileDropAfterKey === undefined
          ? {}
          : { fileDropAfterKey: request.watermark.fileDropAfterKey }),
        guard: { from: ["RUNNING"] },
      });
    } catch (error) {
      await jobs.finish(job, {
        status: "FAILED",
        counts: request.baseCounts,
        rowsRead: request.rowsRead,
        errorSummary: `batch run failed: ${error instanceof Error ? error.message : String(error)}`,
        guard: { from: ["RUNNING"] },
      });
    }
  }
}
