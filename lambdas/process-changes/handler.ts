/** Lambda entry of process-changes: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { DynamoVendorControl } from "../adapters/dynamodb/vendor-control-store.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { readSecretText } from "../adapters/secrets/secrets-manager-source.ts";
import { SqsMessageControl } from "../adapters/sqs/sqs-queue.ts";
import { VendorHttpConnector } from "../adapters/vendor-http/connector.ts";
import { VendorResourceFetcher } from "../adapters/vendor-http/resource-fetcher.ts";
import { writePathAdapters } from "../runtime/change-interpreter.ts";
import { log, logger, metrics, publishOutcomeMetrics } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { readEnv } from "./env.ts";
import { makeHandler } from "./process-changes.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const vendors = VendorRegistry.fromBundle();
const archive = new S3ObjectStore({ client: new S3Client({}), bucket: env.ARCHIVE_BUCKET_NAME });
// Thin notifications read the resource through the vendor's pull connector (one per vendor, tokens reused).
const connectors = new Map<string, VendorHttpConnector>();

const processChanges = makeHandler({
  vendors,
  writer: writePathAdapters({
    client: dynamo,
    recordsTableName: env.RECORDS_TABLE_NAME,
    syncTableName: env.SYNC_TABLE_NAME,
    vendors,
    conflictTopicArn: env.OPS_TOPIC_ARN,
  }).interpreter,
  archive,
  rejects: archive,
  control: new SqsMessageControl({
    client: new SQSClient({}),
    queueUrl: env.REALTIME_QUEUE_URL,
    deadLetterQueueUrl: env.REALTIME_DLQ_URL,
  }),
  pause: new DynamoVendorControl({ client: dynamo, tableName: env.SYNC_TABLE_NAME }),
  fetcher: new VendorResourceFetcher({
    vendor: (vendorId) => vendors.get(vendorId),
    connectorFor: (vendor) => {
      let connector = connectors.get(vendor.id);
      if (!connector) {
        if (!vendor.channels.pull) throw new Error(`vendor ${vendor.id} has no pull channel`);
        connector = new VendorHttpConnector(vendor.channels.pull, { secrets: (name) => readSecretText(name) });
        connectors.set(vendor.id, connector);
      }
      return connector;
    },
  }),
  log,
  onProcessed: (processed) => publishOutcomeMetrics(processed.results),
});

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  try {
    return await processChanges(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
