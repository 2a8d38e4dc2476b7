/** Lambda entry of ingest-webhook: real adapters built once per execution environment. */

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DynamoDedupStore } from "../adapters/dynamodb/dedup-store.ts";
import { DynamoPlatformKeyIndex } from "../adapters/dynamodb/platform-key-index.ts";
import { DynamoVendorControl } from "../adapters/dynamodb/vendor-control-store.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { SecretsManagerSource } from "../adapters/secrets/secrets-manager-source.ts";
import { SqsQueueSender } from "../adapters/sqs/sqs-queue.ts";
import {
  publishConfigurationFaults,
  publishDuplicatesDropped,
  publishSignatureRejections,
} from "../runtime/metrics.ts";
import { logger } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { readEnv } from "./env.ts";
import { makeHandler } from "./ingest-webhook.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const keyIndex = new DynamoPlatformKeyIndex({ client: dynamo, tableName: env.SYNC_TABLE_NAME });

const ingest = makeHandler({
  vendors: VendorRegistry.fromBundle(),
  secrets: new SecretsManagerSource(),
  dedup: new DynamoDedupStore({ client: dynamo, tableName: env.SYNC_TABLE_NAME }),
  archive: new S3ObjectStore({ client: new S3Client({}), bucket: env.ARCHIVE_BUCKET_NAME }),
  queue: new SqsQueueSender({ client: new SQSClient({}), queueUrl: env.REALTIME_QUEUE_URL }),
  keyIndexFor: (vendorId) => keyIndex.forVendor(vendorId),
  pause: new DynamoVendorControl({ client: dynamo, tableName: env.SYNC_TABLE_NAME }),
  observe: {
    signatureRejected: (vendorId, reason) => {
      logger.warn("webhook signature rejected", { vendorId, reason });
      publishSignatureRejections(vendorId);
    },
    duplicate: (vendorId, eventId) => {
      logger.info("duplicate delivery", { vendorId, eventId });
      publishDuplicatesDropped(vendorId);
    },
    failed: (vendorId, error) => logger.error("webhook not queued", { vendorId, error: String(error) }),
    configurationFault: (fault) => {
      logger.error("configuration fault", { vendorId: fault.vendorId, fault: fault.problem });
      publishConfigurationFaults(fault.vendorId);
    },
    // One line per delivery: vendor, status, event id, duration (previousSecretUsed during a rotation).
    finished: (outcome) => logger.info("webhook delivery", { ...outcome, vendorId: outcome.vendorId.slice(0, 64) }),
  },
});

export const handler = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext({ awsRequestId: event.requestContext?.requestId } as never);
  return ingest(event);
};
