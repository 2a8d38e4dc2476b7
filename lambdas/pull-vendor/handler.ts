/** Lambda entry of pull-vendor: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { readRows, syntaxOf } from "../adapters/file-rows.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { S3FileDropSource } from "../adapters/s3/s3-file-drop-source.ts";
import { readSecretText } from "../adapters/secrets/secrets-manager-source.ts";
import { StepFunctionsBatchStarter } from "../adapters/sfn/sfn-batch-starter.ts";
import { SnsJobNotifier } from "../adapters/sns/sns-job-notifier.ts";
import { SqsMessageControl, SqsQueueSender } from "../adapters/sqs/sqs-queue.ts";
import { VendorHttpConnector } from "../adapters/vendor-http/connector.ts";
import { buildHandoffExecutionInput } from "../core/batch/execution.ts";
import { SyncJobs } from "../core/jobs/sync-jobs.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import { writePathAdapters } from "../runtime/change-interpreter.ts";
import { log, logger, metrics, publishOutcomeMetrics } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { readEnv } from "./env.ts";
import { makeHandler } from "./pull-vendor.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const sqs = new SQSClient({});
const s3 = new S3Client({});
const vendors = VendorRegistry.fromBundle();
const { interpreter, sync } = writePathAdapters({
  client: dynamo,
  recordsTableName: env.RECORDS_TABLE_NAME,
  syncTableName: env.SYNC_TABLE_NAME,
  vendors,
  conflictTopicArn: env.JOBS_TOPIC_ARN,
});
const queue = new SqsQueueSender({ client: sqs, queueUrl: env.SYNC_QUEUE_URL });
// One connector per vendor for the life of the execution environment, so OAuth tokens are reused.
const connectors = new Map<string, VendorHttpConnector>();

const pullVendor = makeHandler({
  vendors,
  store: sync,
  jobs: new SyncJobs({
    vendors,
    store: sync,
    queue,
    notifier: new SnsJobNotifier({ client: new SNSClient({}), topicArn: env.JOBS_TOPIC_ARN }),
    log,
  }),
  queue,
  control: new SqsMessageControl({ client: sqs, queueUrl: env.SYNC_QUEUE_URL, deadLetterQueueUrl: env.SYNC_DLQ_URL }),
  interpreter,
  connectorFor: (vendor: VendorConfig) => {
    let connector = connectors.get(vendor.id);
    if (!connector) {
      if (!vendor.channels.pull) throw new Error(`vendor ${vendor.id} has no pull channel`);
      connector = new VendorHttpConnector(vendor.channels.pull, { secrets: (name) => readSecretText(name) });
      connectors.set(vendor.id, connector);
    }
    return connector;
  },
  objects: new S3ObjectStore({ client: s3, bucket: env.ARCHIVE_BUCKET_NAME }),
  ...(env.BATCH_STATE_MACHINE_ARN
    ? {
        batch: new StepFunctionsBatchStarter({
          client: new SFNClient({}),
          stateMachineArn: env.BATCH_STATE_MACHINE_ARN,
          inputFor: (request) =>
            buildHandoffExecutionInput({
              vendor: vendors.get(request.vendorId),
              request,
              archiveBucket: env.ARCHIVE_BUCKET_NAME,
              trigger: request.trigger,
            }),
        }),
      }
    : {}),
  fileDrops: { source: (bucket) => new S3FileDropSource({ client: s3, bucket }), rows: { readRows, syntaxOf } },
  onResults: (results) => publishOutcomeMetrics(results),
  log,
});

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await pullVendor(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
