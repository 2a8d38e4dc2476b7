import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoConflictStore } from "../adapters/dynamodb/conflict-store.ts";
import { DynamoPlatformKeyIndex } from "../adapters/dynamodb/platform-key-index.ts";
import { DynamoRecordStore } from "../adapters/dynamodb/record-store.ts";
import { DynamoStepStore } from "../adapters/dynamodb/step-store.ts";
import { ChangeInterpreter } from "../core/changes/interpreter.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import { conflictHooks } from "./conflict-notifications.ts";

/** The adapters a write-path Lambda works with, built once per execution environment. */
export interface WritePathAdapters {
  readonly interpreter: ChangeInterpreter;
  readonly records: DynamoRecordStore;
  /** Jobs, their steps and vendor state (the pull worker's store). */
  readonly sync: DynamoStepStore;
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
  const sync = new DynamoStepStore({ client: options.client, tableName: options.syncTableName });
  const platformKeys = new DynamoPlatformKeyIndex({ client: options.client, tableName: options.syncTableName });
  const interpreter = ChangeInterpreter.forVendors(options.vendors, {
    records,
    conflicts: new DynamoConflictStore({ client: options.client, tableName: options.syncTableName }),
    resources: platformKeys,
    ...conflictHooks(options.conflictTopicArn),
  });
  return { interpreter, records, sync, platformKeys };
}
