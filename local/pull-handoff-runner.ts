import { createReadStream } from "node:fs";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoRecordStore } from "../lambdas/adapters/dynamodb/record-store.ts";
import type { DynamoSyncStore } from "../lambdas/adapters/dynamodb/sync-store.ts";
import type { SourceOpener } from "../lambdas/adapters/s3/uploads.ts";
import { buildHandoffExecutionInput, handoffExecutionName } from "../lambdas/core/batch/execution.ts";
import { jobKeys } from "../lambdas/core/batch/layout.ts";
import type { ChangeInterpreter } from "../lambdas/core/changes/interpreter.ts";
import type { JobNotification } from "../lambdas/core/jobs/job.ts";
import type { BatchHandoffRequest, BatchStarter, FileDropSource, JobNotifier } from "../lambdas/core/jobs/ports.ts";
import { addCounts, countOutcome, emptyCounts } from "../lambdas/core/outcomes.ts";
import type { Log } from "../lambdas/core/ports.ts";
import type { VendorRegistry } from "../lambdas/runtime/vendor-registry.ts";
import type { LocalBatchRuns } from "./batch-runs.ts";
import { type JobTopicMessage, runBatchLocally } from "./batch-workflow/run.ts";
import { sandboxStageHandlers } from "./batch-workflow/stage-handlers.ts";
import type { FileObjectStore } from "./file-object-store.ts";

/** The name the sandbox gives its archive "bucket" in execution inputs. */
export const LOCAL_ARCHIVE_BUCKET = "local-archive";

export interface LocalBatchRunnerDeps {
  readonly client: DynamoDBClient;
  readonly recordsTableName: string;
  readonly sync: DynamoSyncStore;
  readonly records: DynamoRecordStore;
  readonly interpreter: ChangeInterpreter;
  readonly vendors: Pick<VendorRegistry, "get">;
  /** Where the pull worker stages parts and manifests (the archive bucket on AWS). */
  readonly archive: FileObjectStore;
  /** The batch workflow's working bucket (the imports bucket on AWS). */
  readonly bucket: FileObjectStore;
  readonly fileDrops: (bucket: string) => FileDropSource;
  /** The jobs topic: a handed-over job's end is published like any sync job's. */
  readonly notifier: JobNotifier;
  /** This process's batch runs (ownership, cancel). */
  readonly runs: LocalBatchRuns;
  readonly log: Log;
}

/**
 * The sandbox's stand-in for starting the batch workflow on a pull's hand-off: runs the execution
 * input the AWS starter sends (`buildHandoffExecutionInput`) through the batch workflow's own stage
 * handlers (`runBatchLocally`, as `vendor-sync import` does), so the pull's job is continued, counted,
 * watermarked and released by the same code as on AWS. Started once per job (in memory and by a marker
 * object next to the manifest), in the background, as an execution would be.
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
    if (this.#runs.has(request.jobId) || (await this.#deps.archive.readText(marker)) !== undefined)
      return { executionId };
    await this.#deps.archive.writeText(marker, JSON.stringify({ executionId, request }));
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
    const deps = this.#deps;
    const vendor = deps.vendors.get(request.vendorId);
    const input = buildHandoffExecutionInput({
      vendor,
      request,
      archiveBucket: LOCAL_ARCHIVE_BUCKET,
      trigger: request.trigger,
    });
    const openSource: SourceOpener = async (source) => {
      if (source.bucket === LOCAL_ARCHIVE_BUCKET) {
        return { body: createReadStream(deps.archive.locate(source.key)), lastModified: Date.now(), size: 0 };
      }
      return {
        body: await deps.fileDrops(source.bucket).open(source.key),
        lastModified: input.asOf ?? Date.now(),
        size: 0,
      };
    };
    // Live counts on the job while it runs, on top of what the worker applied (as `sync --wait` shows).
    const live = emptyCounts();
    const observe = (results: readonly { outcome: Parameters<typeof countOutcome>[1] }[]) => {
      for (const result of results) countOutcome(live, result.outcome);
      void deps.sync
        .reportProgress(request.jobId, {
          counts: addCounts(request.baseCounts, live),
          rowsRead: request.rowsRead,
          heartbeatAt: Date.now(),
        })
        .catch(() => {});
    };
    const store = deps.bucket;
    // The state machine's Notify step publishes the job's end (the `job.finished` shape) on the jobs topic.
    const publish = async (published: JobTopicMessage) => {
      const message = JSON.parse(published.Message) as JobNotification["message"];
      const attribute = (name: string) => published.MessageAttributes?.[name]?.StringValue;
      await deps.notifier.jobFinished({
        message,
        attributes: {
          vendorId: attribute("vendorId") ?? input.vendorId,
          status: (attribute("status") ?? message.status) as typeof message.status,
          workflow: (attribute("workflow") ?? message.workflow) as typeof message.workflow,
        },
      });
    };
    try {
      // Owned by this process (an interrupted run is ended by the next one); a cancel stops it.
      await deps.runs.run(input, (signal) =>
        runBatchLocally(
          input,
          sandboxStageHandlers({
            vendors: { get: (id: string) => deps.vendors.get(id) },
            client: deps.client,
            recordsTableName: deps.recordsTableName,
            jobs: deps.sync,
            records: deps.records,
            interpreter: deps.interpreter,
            store,
            openSource,
            observe,
            dryRun: request.dryRun,
          }),
          store,
          { publish, signal },
        ),
      );
    } finally {
      // Lifecycle rules expire these on AWS; the sandbox keeps only the rejects and the diff report.
      for (const prefix of jobKeys(vendor.id, request.jobId).workPrefixes) await store.removePrefix(prefix);
    }
  }
}
