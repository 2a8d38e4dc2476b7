/** Lambda entry of batch-commit: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoJobStore } from "../adapters/dynamodb/job-store.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import type { CommitResult } from "../core/batch/commit.ts";
import { metrics } from "../runtime/powertools.ts";
import { makeHandler } from "./batch-commit.ts";
import { readEnv } from "./env.ts";

const env = readEnv();

const commit = makeHandler({
  jobs: new DynamoJobStore({ client: new DynamoDBClient({}), tableName: env.SYNC_TABLE_NAME }),
  store: new S3ObjectStore({ client: new S3Client({}), bucket: env.IMPORTS_BUCKET_NAME }),
});

export const handler = async (event: unknown): Promise<CommitResult> => {
  try {
    return await commit(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
