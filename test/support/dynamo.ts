import { DynamoRecordStore } from "../../lambdas/adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../../lambdas/adapters/dynamodb/sync-store.ts";
import { type EmbeddedDynamo, startEmbeddedDynamo } from "../../local/embedded-dynamodb.ts";
import { countCommands } from "../../local/sdk-call-counter.ts";

/** Starts an in-memory dynalite with the project's tables; returns stores on a fresh client. */
export async function startTestDynamo(): Promise<EmbeddedDynamo & { newStores: () => ReturnType<typeof stores> }> {
  const dynamo = await startEmbeddedDynamo();
  return { ...dynamo, newStores: () => stores(dynamo) };
}

/** Record and sync stores on their own client (as a second process would have). */
export function stores(dynamo: EmbeddedDynamo) {
  const client = dynamo.newClient();
  const commands = countCommands(client);
  return {
    client,
    commands,
    records: new DynamoRecordStore({ client, tableName: dynamo.tables.records }),
    sync: new DynamoSyncStore({ client, tableName: dynamo.tables.sync }),
  };
}
