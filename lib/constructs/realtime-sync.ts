import { Duration } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { INGEST_TIMEOUT_SECONDS } from "../../lambdas/core/realtime/ingest-lease.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { FETCHING_PAYLOAD_FORMATS } from "../../lambdas/core/webhooks/results.ts";
import { SyncQueue } from "./sync-queue.ts";
import { VendorSyncFunction } from "./vendor-sync-function.ts";
import { WebhookApi } from "./webhook-api.ts";

export interface RealtimeSyncProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  readonly archiveBucket: IBucket;
  /** Webhook signing secrets by vendor id. */
  readonly secrets: ReadonlyMap<string, ISecret>;
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
  /** Processor timeout; the queue's visibility timeout is 6× it plus the batching window. @default 30 s */
  readonly processorTimeout?: Duration;
  /** Most processor instances polling the queue at once (protects DynamoDB and vendors). @default 10 */
  readonly maxConcurrency?: number;
  /** Optional custom domain for the webhook API. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * The real-time workflow: vendor webhooks → HTTP API → ingest function (verify, de-duplicate,
 * archive) → high-priority SQS queue with DLQ → processor function (Powertools batch, partial batch
 * responses) → the shared write path.
 *
 * Default settings: batches of 10 with a 1 s batching window, `ReportBatchItemFailures`, maximum
 * concurrency 10, processor timeout 30 s (visibility 181 s).
 */
export class RealtimeSync extends Construct {
  readonly api: WebhookApi;
  readonly queue: SyncQueue;
  readonly ingest: VendorSyncFunction;
  readonly processor: VendorSyncFunction;

  constructor(scope: Construct, id: string, props: RealtimeSyncProps) {
    super(scope, id);
    const timeout = props.processorTimeout ?? Duration.seconds(30);
    const batchingWindow = Duration.seconds(1);
    this.queue = new SyncQueue(this, "Queue", { consumerTimeout: timeout, maxBatchingWindow: batchingWindow });

    this.ingest = new VendorSyncFunction(this, "Ingest", {
      entry: "lambdas/ingest-webhook/handler.ts",
      description: "Verifies, de-duplicates, archives and queues vendor webhooks",
      vendors: props.vendors,
      logRetention: props.logRetention,
      // The de-duplication claim's lease outlasts this (ingest-lease.ts): keep them together.
      timeout: Duration.seconds(INGEST_TIMEOUT_SECONDS),
    })
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      .bindBucket(props.archiveBucket, "ARCHIVE_BUCKET_NAME", { write: ["webhooks/"] })
      .bindQueueSend(this.queue.queue, "REALTIME_QUEUE_URL");
    for (const secret of props.secrets.values()) this.ingest.bindSecret(secret);

    this.processor = new VendorSyncFunction(this, "Processor", {
      entry: "lambdas/process-changes/handler.ts",
      description: "Applies queued vendor events through the shared write path",
      vendors: props.vendors,
      logRetention: props.logRetention,
      timeout,
    })
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME")
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      .bindBucket(props.archiveBucket, "ARCHIVE_BUCKET_NAME", { read: ["webhooks/"], write: ["rejects/"] })
      .bindQueueSend(this.queue.deadLetterQueue, "REALTIME_DLQ_URL");
    this.processor.function.addEnvironment("REALTIME_QUEUE_URL", this.queue.queue.queueUrl);
    this.queue.queue.grantConsumeMessages(this.processor.role);
    // Thin notifications are fetched through the vendor's pull connector (channels.pull.resources):
    // only vendors whose webhook format sends them need the processor to hold the pull credentials.
    for (const vendor of props.vendors) {
      const pull = vendor.channels.pull;
      const format = vendor.channels.webhook?.payloadFormat;
      if (!vendor.enabled || !format || !FETCHING_PAYLOAD_FORMATS.has(format)) continue;
      if (!pull?.secretName || Object.keys(pull.resources).length === 0) continue;
      Secret.fromSecretNameV2(this, `PullSecret-${vendor.id}`, pull.secretName).grantRead(this.processor.role);
    }
    this.processor.function.addEventSource(
      new SqsEventSource(this.queue.queue, {
        batchSize: 10,
        maxBatchingWindow: batchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 10,
      }),
    );

    this.api = new WebhookApi(this, "Api", {
      ingest: this.ingest.function,
      logRetention: props.logRetention,
      ...(props.customDomain ? { customDomain: props.customDomain } : {}),
    });
  }
}
