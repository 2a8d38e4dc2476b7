/** Lambda entry of batch-plan: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoRecordKeyLister } from "../adapters/dynamodb/record-keys.ts";
import { DynamoRecordStore } from "../adapters/dynamodb/record-store.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { metrics } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { type BatchPlanResponse, makeHandler } from "./batch-plan.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});

const plan = makeHandler({
  vendors: VendorRegistry.fromBundle(),
  records: new DynamoRecordStore({ client: dynamo, tableName: env.RECORDS_TABLE_NAME }),
  keys: new DynamoRecordKeyLister({ client: dynamo, tableName: env.RECORDS_TABLE_NAME }),
  store: new S3ObjectStore({ client: new S3Client({}), bucket: env.IMPORTS_BUCKET_NAME }),
});

export const handler = async (event: unknown): Promise<BatchPlanResponse> => {
  try {
    return await plan(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
