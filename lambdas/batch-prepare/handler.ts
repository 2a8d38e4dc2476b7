/** Lambda entry of batch-prepare: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoJobStore } from "../adapters/dynamodb/job-store.ts";
import { VENDOR_SHARDS, vendorShard } from "../adapters/dynamodb/table-design.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { s3SourceOpener } from "../adapters/s3/uploads.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { makeHandler } from "./batch-prepare.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const s3 = new S3Client({});

export const handler = makeHandler({
  vendors: VendorRegistry.fromBundle(),
  jobs: new DynamoJobStore({ client: dynamo, tableName: env.SYNC_TABLE_NAME }),
  store: new S3ObjectStore({ client: s3, bucket: env.IMPORTS_BUCKET_NAME }),
  openSource: s3SourceOpener(s3),
  keys: { shards: VENDOR_SHARDS, shardOf: vendorShard },
});
