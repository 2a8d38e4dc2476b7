/** Lambda entry of admin-operations: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoConflictReviewStore } from "../adapters/dynamodb/conflict-review-store.ts";
import { DynamoConflictStore } from "../adapters/dynamodb/conflict-store.ts";
import { DynamoPlatformKeyIndex } from "../adapters/dynamodb/platform-key-index.ts";
import { DynamoRecordStore } from "../adapters/dynamodb/record-store.ts";
import { DynamoVendorControl } from "../adapters/dynamodb/vendor-control-store.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { SqsDeadLetterWorkbench } from "../adapters/sqs/dead-letter-workbench.ts";
import { SqsQueueSender } from "../adapters/sqs/sqs-queue.ts";
import { ChangeInterpreter } from "../core/changes/interpreter.ts";
import { logger } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { makeHandler } from "./admin-operations.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const sqs = new SQSClient({});
const conflicts = new DynamoConflictStore({ client: dynamo, tableName: env.SYNC_TABLE_NAME });
const keyIndex = new DynamoPlatformKeyIndex({ client: dynamo, tableName: env.SYNC_TABLE_NAME });
const review = new DynamoConflictReviewStore({ client: dynamo, tableName: env.SYNC_TABLE_NAME, sync: conflicts });
const vendors = VendorRegistry.fromBundle();
const records = new DynamoRecordStore({ client: dynamo, tableName: env.RECORDS_TABLE_NAME });

const operations = makeHandler({
  vendors,
  records,
  interpreter: ChangeInterpreter.forVendors(vendors, { records, conflicts, resources: keyIndex }),
  conflicts: {
    getConflict: (id) => review.getConflict(id),
    claimConflict: (id, by, now) => review.claimConflict(id, by, now),
    releaseConflict: (id, by, note) => review.releaseConflict(id, by, note),
    finishConflict: (conflict, resolution) => review.finishConflict(conflict, resolution),
    listConflicts: (vendorId, options) => conflicts.listConflicts(vendorId, options),
  },
  deadLetters: new SqsDeadLetterWorkbench({ client: sqs, queues: env.QUEUES }),
  pause: new DynamoVendorControl({ client: dynamo, tableName: env.SYNC_TABLE_NAME, cacheMs: 0 }),
  resumeQueue: new SqsQueueSender({ client: sqs, queueUrl: env.REALTIME_QUEUE_URL }),
  archive: new S3ObjectStore({ client: new S3Client({}), bucket: env.ARCHIVE_BUCKET_NAME }),
  keyIndexFor: (vendorId) => keyIndex.forVendor(vendorId),
  replayBudgetMs: 20_000,
});

export const handler = async (event: unknown): Promise<unknown> => {
  logger.info("admin operation", {
    routeKey: (event as { routeKey?: string }).routeKey ?? (event as { action?: string }).action,
  });
  return operations(event);
};
