/** Lambda entry of batch-apply: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { writePathAdapters } from "../runtime/change-interpreter.ts";
import { metrics } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { type BatchApplyResponse, makeHandler } from "./batch-apply.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const vendors = VendorRegistry.fromBundle();
const { interpreter } = writePathAdapters({
  client: dynamo,
  recordsTableName: env.RECORDS_TABLE_NAME,
  syncTableName: env.SYNC_TABLE_NAME,
  vendors,
  conflictTopicArn: env.OPS_TOPIC_ARN,
});

const apply = makeHandler({
  interpreter,
  store: new S3ObjectStore({ client: new S3Client({}), bucket: env.IMPORTS_BUCKET_NAME }),
});

export const handler = async (event: unknown): Promise<BatchApplyResponse> => {
  try {
    return await apply(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
