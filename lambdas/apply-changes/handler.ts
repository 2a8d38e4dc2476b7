/** Lambda entry of apply-changes: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoRecordStore } from "../adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../adapters/dynamodb/sync-store.ts";
import { ChangeInterpreter } from "../core/changes/interpreter.ts";
import { conflictNotifier } from "../runtime/conflict-notifications.ts";
import { metrics } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { type ApplyChangesResponse, makeHandler } from "./apply-changes.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const client = new DynamoDBClient({});
const vendors = VendorRegistry.fromBundle();
const records = new DynamoRecordStore({ client, tableName: env.RECORDS_TABLE_NAME });
const sync = new DynamoSyncStore({ client, tableName: env.SYNC_TABLE_NAME });
const writer = ChangeInterpreter.forVendors(vendors, {
  records,
  conflicts: sync,
  onConflictOpened: conflictNotifier(env.OPS_TOPIC_ARN),
});

const applyChanges = makeHandler({ vendors, writer });

export const handler = async (event: unknown): Promise<ApplyChangesResponse> => {
  try {
    return await applyChanges(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
