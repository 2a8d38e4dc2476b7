/** Lambda entry of batch-fail: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoJobStore } from "../adapters/dynamodb/job-store.ts";
import { metrics } from "../runtime/powertools.ts";
import { makeHandler } from "./batch-fail.ts";
import { readEnv } from "./env.ts";

const env = readEnv();

const fail = makeHandler({
  jobs: new DynamoJobStore({ client: new DynamoDBClient({}), tableName: env.SYNC_TABLE_NAME }),
});

export const handler = async (event: unknown) => {
  try {
    return await fail(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
