import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { DynamoRecordStore } from "../lambdas/adapters/dynamodb/record-store.ts";
import type { DynamoSyncStore } from "../lambdas/adapters/dynamodb/sync-store.ts";
import { readRows, syntaxOf } from "../lambdas/adapters/file-rows.ts";
import { VendorHttpConnector, type VendorHttpConnectorDeps } from "../lambdas/adapters/vendor-http/connector.ts";
import { VendorResourceFetcher } from "../lambdas/adapters/vendor-http/resource-fetcher.ts";
import type { ChangeInterpreter } from "../lambdas/core/changes/interpreter.ts";
import type { JobNotification } from "../lambdas/core/jobs/job.ts";
import type { JobNotifier } from "../lambdas/core/jobs/ports.ts";
import { SyncJobs } from "../lambdas/core/jobs/sync-jobs.ts";
import type { Log } from "../lambdas/core/ports.ts";
import { MAX_RECEIVE_COUNT, type VendorConfig } from "../lambdas/core/vendor-config.ts";
import { makeHandler as makePullWorker } from "../lambdas/pull-vendor/pull-vendor.ts";
import type { VendorRegistry } from "../lambdas/runtime/vendor-registry.ts";
import { LocalBatchRuns } from "./batch-runs.ts";
import { FileObjectStore } from "./file-object-store.ts";
import { FsFileDropSource } from "./fs-file-drop-source.ts";
import { LocalQueue, LocalQueueDriver } from "./local-queue.ts";
import type { LocalSecrets } from "./local-secrets.ts";
import { LocalBatchRunner } from "./pull-handoff-runner.ts";
import { LocalVendorApi } from "./vendor-api.ts";

/** Pull worker timeout the sandbox mirrors (the CDK sets the same): the sync queue's visibility is 6× it. */
export const PULL_TIMEOUT_SECONDS = 300;

/** The scheduled and on-demand workflows in the sandbox: the same job lifecycle and worker as on AWS. */
export interface ScheduledWorkflow {
  /** Start, look up, cancel and finish jobs. */
  readonly jobs: SyncJobs;
  /** The standard-priority queue (and its DLQ), persisted like the real-time one. */
  readonly syncQueue: LocalQueue;
  /** Drives the pull worker from the sync queue (batches of 1, as the event source mapping). */
  readonly syncDriver: LocalQueueDriver;
  /** The recorded vendor APIs, served over HTTP on a loopback port. */
  readonly vendorApi: LocalVendorApi;
  /** Runs hand-offs of large pulls in place of the batch workflow. */
  readonly batch: LocalBatchRunner;
  /** Batch runs of this process (imports and hand-offs): ownership, cancel, interrupted jobs. */
  readonly batchRuns: LocalBatchRuns;
  /** Thin-notification fetches for the real-time processor. */
  readonly fetcher: VendorResourceFetcher;
  /** The pull worker's handler (what the driver calls with SQS-shaped batches). */
  readonly worker: (event: SQSEvent) => Promise<SQSBatchResponse>;
  /** Runs queued steps until no job has work left (the queue is empty and every hand-off ended). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface ScheduledWorkflowOptions {
  readonly client: DynamoDBClient;
  readonly dataDir: string;
  readonly vendors: ReadonlyMap<string, VendorConfig>;
  readonly registry: VendorRegistry;
  readonly records: DynamoRecordStore;
  readonly sync: DynamoSyncStore;
  /** The sync table (platform keys live there too). */
  readonly syncTableName: string;
  /** The records table (a hand-off's full-snapshot key listing reads its index). */
  readonly recordsTableName: string;
  /** The change interpreter the workflows write through. */
  readonly interpreter: ChangeInterpreter;
  /** The archive folder: staged pulls and rejects. */
  readonly archive: FileObjectStore;
  readonly secrets: LocalSecrets;
  /** This process's owner id for the batch runs it drives (`sandbox:<session>`). */
  readonly owner: string;
  readonly events: NodeJS.EventEmitter;
  readonly log: Log;
  /** Connector overrides (tests inject a clock and sleeps). */
  readonly connector?: Partial<Omit<VendorHttpConnectorDeps, "secrets">>;
  /** Time a worker invocation has, ms. @default {@link PULL_TIMEOUT_SECONDS} */
  readonly invocationMs?: number;
  /** @default 20000 */
  readonly safetyMarginMs?: number;
  /** Epoch ms, for jobs, the worker and the sync queue. @default Date.now */
  readonly now?: () => number;
  /** Recorded vendor APIs. @default examples/vendor-apis */
  readonly vendorApiDir?: string;
}

/** Wires the scheduled workflow on the sandbox's store, queue and folders. */
export function createScheduledWorkflow(options: ScheduledWorkflowOptions): ScheduledWorkflow {
  const { log } = options;
  const now = options.now ?? Date.now;
  const notifications = join(options.dataDir, "job-notifications.jsonl");
  const syncQueue = new LocalQueue({
    client: options.client,
    name: "sync",
    visibilityTimeoutSeconds: PULL_TIMEOUT_SECONDS * 6,
    maxReceiveCount: MAX_RECEIVE_COUNT,
    now,
  });
  const jobNotifier: JobNotifier = {
    jobFinished: async (notification: JobNotification) => {
      appendFileSync(notifications, `${JSON.stringify(notification)}\n`);
      options.events.emit("job", notification);
    },
  };
  const bucket = new FileObjectStore(join(options.dataDir, "bucket"));
  const batchRuns = new LocalBatchRuns({
    owner: options.owner,
    sync: options.sync,
    records: options.records,
    bucket,
    notifier: jobNotifier,
    log,
    now,
  });
  const jobs = new SyncJobs({
    vendors: options.registry,
    store: options.sync,
    queue: syncQueue,
    executions: batchRuns,
    notifier: jobNotifier,
    now,
    log,
  });
  const vendorApi = new LocalVendorApi(options.vendors, options.secrets, options.vendorApiDir);
  const connectors = new Map<string, VendorHttpConnector>();
  const connectorFor = (vendor: VendorConfig) => {
    let connector = connectors.get(vendor.id);
    if (!connector) {
      if (!vendor.channels.pull) throw new Error(`vendor ${vendor.id} has no pull channel`);
      connector = new VendorHttpConnector(vendor.channels.pull, {
        secrets: (name) => options.secrets.text(name),
        fetch: vendorApi.fetch(),
        ...options.connector,
      });
      connectors.set(vendor.id, connector);
    }
    return connector;
  };
  const fileDrops = (bucket: string) => new FsFileDropSource(join(options.dataDir, "objects", bucket));
  const batch = new LocalBatchRunner({
    client: options.client,
    recordsTableName: options.recordsTableName,
    sync: options.sync,
    records: options.records,
    interpreter: options.interpreter,
    vendors: options.registry,
    archive: options.archive,
    bucket,
    fileDrops,
    notifier: jobNotifier,
    runs: batchRuns,
    log,
  });
  const invocationMs = options.invocationMs ?? PULL_TIMEOUT_SECONDS * 1000;
  const worker = makePullWorker({
    vendors: options.registry,
    store: options.sync,
    jobs,
    queue: syncQueue,
    control: syncQueue,
    interpreter: options.interpreter,
    connectorFor,
    objects: options.archive,
    batch,
    fileDrops: { source: fileDrops, rows: { readRows, syntaxOf } },
    onEvent: (event) => options.events.emit("pull", event),
    log,
    now,
    defaultRemainingMs: invocationMs,
    ...(options.safetyMarginMs === undefined ? {} : { safetyMarginMs: options.safetyMarginMs }),
  });
  const syncDriver = new LocalQueueDriver(syncQueue, (event) => worker(event), { batchSize: 1 });
  const fetcher = new VendorResourceFetcher({
    vendor: (vendorId) => options.registry.get(vendorId),
    connectorFor,
    now,
  });
  return {
    jobs,
    syncQueue,
    syncDriver,
    vendorApi,
    batch,
    batchRuns,
    fetcher,
    worker: (event) => worker(event),
    settle: async () => {
      await syncDriver.drain();
      await batch.idle();
    },
    close: async () => {
      await syncDriver.stop();
      await batch.idle();
      await vendorApi.close();
    },
  };
}
