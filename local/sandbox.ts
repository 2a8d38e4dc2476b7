import { EventEmitter } from "node:events";
import { appendFileSync, closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DynamoConflictReviewStore } from "../lambdas/adapters/dynamodb/conflict-review-store.ts";
import { DynamoDedupStore } from "../lambdas/adapters/dynamodb/dedup-store.ts";
import { DynamoPlatformKeyIndex } from "../lambdas/adapters/dynamodb/platform-key-index.ts";
import { DynamoRecordStore } from "../lambdas/adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../lambdas/adapters/dynamodb/sync-store.ts";
import { DynamoVendorControl } from "../lambdas/adapters/dynamodb/vendor-control-store.ts";
import { ChangeInterpreter } from "../lambdas/core/changes/interpreter.ts";
import {
  conflictOpenedNotification,
  conflictSupersededNotification,
} from "../lambdas/core/operations/ops-notifications.ts";
import type { Log } from "../lambdas/core/ports.ts";
import { type ChangeNotification, changeNotification } from "../lambdas/core/realtime/change-notification.ts";
import type { ProcessedMessage } from "../lambdas/core/realtime/webhook-processor.ts";
import type { SyncRecord } from "../lambdas/core/record.ts";
import { MAX_RECEIVE_COUNT } from "../lambdas/core/vendor-config.ts";
import { makeHandler as makeIngestHandler } from "../lambdas/ingest-webhook/ingest-webhook.ts";
import { makeHandler as makeProcessor } from "../lambdas/process-changes/process-changes.ts";
import type { VendorRegistry } from "../lambdas/runtime/vendor-registry.ts";
import { FileObjectStore } from "./file-object-store.ts";
import { LocalDeadLetterWorkbench } from "./local-dead-letters.ts";
import { LocalQueue, LocalQueueDriver } from "./local-queue.ts";
import { LocalSecrets, type SecretsReload } from "./local-secrets.ts";
import { type OpenSandboxStoreOptions, openSandboxStore, type SandboxStore } from "./sandbox-store.ts";
import { createScheduledWorkflow, type ScheduledWorkflow, type ScheduledWorkflowOptions } from "./scheduled.ts";
import type { VendorsReload } from "./vendor-configs.ts";

/** Processor timeout the sandbox mirrors (the CDK sets the same): the queue's visibility is 6× it. */
export const PROCESSOR_TIMEOUT_SECONDS = 30;

/** The sandbox's wiring: the same handlers, adapters and write path the Lambdas use, on the embedded store. */
export interface Sandbox extends SandboxStore {
  readonly registry: VendorRegistry;
  readonly sync: DynamoSyncStore;
  /** The change interpreter every sandbox workflow writes through. */
  readonly interpreter: ChangeInterpreter;
  /** Raw webhook deliveries, large mappings and webhook rejects (the archive bucket on AWS). */
  readonly archive: FileObjectStore;
  readonly secrets: LocalSecrets;
  /** The real-time queue (and its DLQ). */
  readonly realtimeQueue: LocalQueue;
  readonly realtimeDriver: LocalQueueDriver;
  /** DLQ workbench over the sandbox's queues. */
  readonly deadLetters: LocalDeadLetterWorkbench;
  /** Vendor pause flag and parked messages. */
  readonly pause: DynamoVendorControl;
  /** Conflict review bookkeeping (claim, resolve). */
  readonly conflictReview: DynamoConflictReviewStore;
  /** The ingest function's handler, with sandbox adapters. */
  readonly ingest: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** Scheduled and on-demand syncs: jobs, the sync queue and its driver, the local vendor API. */
  readonly scheduled: ScheduledWorkflow;
  /**
   * Emits `processed` (ProcessedMessage), `notification` (ChangeNotification), `job` (JobNotification),
   * `pull` (PullEvent: pages and hand-overs of running pulls), `delivery` (DeliveryOutcome: every
   * webhook delivery as it is answered) and `configuration-fault` (ConfigurationFaultError).
   */
  readonly events: EventEmitter;
  /**
   * Re-reads vendor configurations and the secrets file (`serve`, on a change or SIGHUP): valid changes
   * take effect, invalid ones are refused and the last good configuration stays in use.
   */
  reloadConfiguration(): ConfigurationReload;
  /** Stops the queues' consumers and the workflows, then the store. */
  close(): Promise<void>;
}

/** What a reload changed and refused. */
export interface ConfigurationReload {
  readonly vendors: VendorsReload;
  readonly secrets: SecretsReload;
}

export interface OpenSandboxOptions extends OpenSandboxStoreOptions {
  readonly log?: Log;
  /** Overrides of the scheduled workflow (tests: a clock, sleeps, the invocation time). */
  readonly scheduled?: Pick<
    ScheduledWorkflowOptions,
    "connector" | "invocationMs" | "safetyMarginMs" | "vendorApiDir" | "now"
  >;
}

/** A log on stderr (the sandbox keeps stdout for command output). */
export const stderrLog: Log = {
  info: (message, extra) => process.stderr.write(`${JSON.stringify({ level: "INFO", message, ...extra })}\n`),
  warn: (message, extra) => process.stderr.write(`${JSON.stringify({ level: "WARN", message, ...extra })}\n`),
  error: (message, extra) => process.stderr.write(`${JSON.stringify({ level: "ERROR", message, ...extra })}\n`),
};

/**
 * A JSON Lines file the sandbox appends to on every write: opened once (on the first line) instead
 * of once per line, each line written through at once (`writeSync`), so a killed process loses none.
 */
function lineAppender(file: string): { append(line: string): void; close(): void } {
  let fd: number | undefined;
  return {
    append: (line) => {
      fd ??= openSync(file, "a");
      writeSync(fd, line);
    },
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/**
 * Opens the sandbox on a data directory (one process per directory) or in a throw-away one.
 * @throws {DataDirBusyError} when another process owns the directory.
 */
export async function openSandbox(options: OpenSandboxOptions): Promise<Sandbox> {
  const store = await openSandboxStore(options);
  const { dataDir, inMemory, dynamo, vendors, vendor, configs } = store;
  const { registry } = configs;
  const log = options.log ?? stderrLog;
  const events = new EventEmitter();
  const sync = new DynamoSyncStore({ client: dynamo.client, tableName: dynamo.tables.sync });
  mkdirSync(dataDir, { recursive: true });
  const notificationsFile = lineAppender(join(dataDir, "notifications.jsonl"));
  // The records table's stream stand-in: every write of every workflow passes the store adapter.
  const records = new DynamoRecordStore({
    client: dynamo.client,
    tableName: dynamo.tables.records,
    onWritten: (before: SyncRecord | undefined, after: SyncRecord) => {
      const notification = changeNotification(before, after);
      if (!notification) return;
      notificationsFile.append(`${JSON.stringify(notification)}\n`);
      events.emit("notification", notification satisfies ChangeNotification);
    },
  });
  const opsFile = join(dataDir, "ops-notifications.jsonl");
  const keyIndex = new DynamoPlatformKeyIndex({ client: dynamo.client, tableName: dynamo.tables.sync });
  const interpreter = ChangeInterpreter.forVendors(
    { get: vendor },
    {
      records,
      conflicts: sync,
      resources: keyIndex,
      // The operations topic's stand-in: one line per newly opened and per superseded conflict.
      onConflictOpened: ({ conflictId, draft }) =>
        appendFileSync(opsFile, `${JSON.stringify(conflictOpenedNotification(conflictId, draft))}\n`),
      onConflictSuperseded: ({ conflictId, by }) =>
        appendFileSync(opsFile, `${JSON.stringify(conflictSupersededNotification(conflictId, by))}\n`),
    },
  );
  const archive = new FileObjectStore(join(dataDir, "objects", "archive"));
  const secrets = new LocalSecrets(join(dataDir, "secrets.json"), vendors.values());
  // No cache in the sandbox: a pause takes effect on the next delivery.
  const pause = new DynamoVendorControl({ client: dynamo.client, tableName: dynamo.tables.sync, cacheMs: 0 });
  const conflictReview = new DynamoConflictReviewStore({ client: dynamo.client, tableName: dynamo.tables.sync, sync });
  const realtimeQueue = new LocalQueue({
    client: dynamo.client,
    name: "realtime",
    visibilityTimeoutSeconds: PROCESSOR_TIMEOUT_SECONDS * 6,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
  const ingest = makeIngestHandler({
    vendors: registry,
    secrets,
    // One process owns the data directory: a claim of an earlier session belongs to a process that is gone.
    dedup: new DynamoDedupStore({ client: dynamo.client, tableName: dynamo.tables.sync, session: store.session }),
    archive,
    queue: realtimeQueue,
    keyIndexFor: (vendorId) => keyIndex.forVendor(vendorId),
    pause,
    observe: {
      signatureRejected: (vendorId, reason) => log.warn("webhook signature rejected", { vendorId, reason }),
      failed: (vendorId, error) => log.error("webhook not queued", { vendorId, error: String(error) }),
      configurationFault: (fault) => events.emit("configuration-fault", fault),
      finished: (outcome) => events.emit("delivery", outcome),
    },
  });
  const scheduled = createScheduledWorkflow({
    owner: `sandbox:${store.session}`,
    client: dynamo.client,
    dataDir,
    vendors,
    registry,
    records,
    sync,
    syncTableName: dynamo.tables.sync,
    recordsTableName: dynamo.tables.records,
    interpreter,
    archive,
    secrets,
    events,
    log,
    ...options.scheduled,
  });
  const processor = makeProcessor({
    vendors: registry,
    writer: interpreter,
    archive,
    rejects: archive,
    control: realtimeQueue,
    pause,
    // Faster than on AWS (2 s base, 5 min cap), so a poison message reaches the DLQ in seconds locally.
    retry: { baseSeconds: 0.05, capSeconds: 2, minSeconds: 0 },
    fetcher: scheduled.fetcher,
    log,
    onProcessed: (processed: ProcessedMessage) => events.emit("processed", processed),
  });
  const realtimeDriver = new LocalQueueDriver(realtimeQueue, processor, { batchSize: 10 });
  // Messages the previous owner received and never finished: its consumers are gone.
  for (const queue of [realtimeQueue, scheduled.syncQueue]) await queue.releaseInFlight();
  // Batch runs the previous owner never finished: they have no runner left.
  await scheduled.batchRuns.endInterrupted(registry);
  return {
    dataDir,
    inMemory,
    session: store.session,
    dynamo,
    vendors,
    registry,
    configs,
    records,
    sync,
    interpreter,
    archive,
    secrets,
    realtimeQueue,
    realtimeDriver,
    deadLetters: new LocalDeadLetterWorkbench([realtimeQueue, scheduled.syncQueue]),
    pause,
    conflictReview,
    ingest,
    scheduled,
    events,
    vendor,
    reloadConfiguration: () => {
      const reloaded = configs.reload();
      return { vendors: reloaded, secrets: secrets.reload(vendors.values()) };
    },
    close: async () => {
      try {
        await realtimeDriver.stop();
        await scheduled.close();
      } finally {
        notificationsFile.close();
        await store.close();
      }
    },
  };
}
