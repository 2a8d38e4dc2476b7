/** Lambda entry of apply-changes: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { writePathAdapters } from "../runtime/change-interpreter.ts";
import { metrics } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { type ApplyChangesResponse, makeHandler } from "./apply-changes.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const client = new DynamoDBClient({});
const vendors = VendorRegistry.fromBundle();
const { interpreter } = writePathAdapters({
  client,
  recordsTableName: env.RECORDS_TABLE_NAME,
  syncTableName: env.SYNC_TABLE_NAME,
  vendors,
  conflictTopicArn: env.OPS_TOPIC_ARN,
});

const applyChanges = makeHandler({ vendors, writer: interpreter });

export const handler = async (event: unknown): Promise<ApplyChangesResponse> => {
  try {
    return await applyChanges(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
