import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoPlatformKeyIndex } from "../adapters/dynamodb/platform-key-index.ts";
import { DynamoRecordStore } from "../adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../adapters/dynamodb/sync-store.ts";
import { ChangeInterpreter } from "../core/changes/interpreter.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import { conflictHooks } from "./conflict-notifications.ts";

/** The adapters a write-path Lambda works with, built once per execution environment. */
export interface WritePathAdapters {
  readonly interpreter: ChangeInterpreter;
  readonly records: DynamoRecordStore;
  readonly sync: DynamoSyncStore;
  readonly platformKeys: DynamoPlatformKeyIndex;
}

/**
 * Wires the change interpreter of a Lambda on AWS: the records table, the sync table (conflicts and
 * platform resources) and the topic newly opened conflicts are published on. Every write-path function
 * builds it here, so they cannot be wired differently.
 *
 * @param options.conflictTopicArn - where newly opened conflicts are published. @default none (not published)
 */
export function writePathAdapters(options: {
  readonly client: DynamoDBClient;
  readonly recordsTableName: string;
  readonly syncTableName: string;
  readonly vendors: { get(vendorId: string): VendorConfig };
  readonly conflictTopicArn?: string;
}): WritePathAdapters {
  const records = new DynamoRecordStore({ client: options.client, tableName: options.recordsTableName });
  const sync = new DynamoSyncStore({ client: options.client, tableName: options.syncTableName });
  const platformKeys = new DynamoPlatformKeyIndex({ client: options.client, tableName: options.syncTableName });
  const interpreter = ChangeInterpreter.forVendors(options.vendors, {
    records,
    conflicts: sync,
    resources: platformKeys,
    ...conflictHooks(options.conflictTopicArn),
  });
  return { interpreter, records, sync, platformKeys };
}
