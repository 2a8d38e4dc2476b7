import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { RECORDS_TABLE, SYNC_TABLE } from "../lambdas/adapters/dynamodb/table-design.ts";
import { EmbeddedDynamoClient } from "./embedded-dynamodb-client.ts";
import { openStoreInThread, openStoreInWorker } from "./embedded-dynamodb-host.ts";

/** Table names the sandbox uses (on AWS they come from the stacks). */
export const LOCAL_TABLES = {
  records: "vendor-sync-records",
  sync: "vendor-sync-sync",
  /** The sandbox's stand-in for SQS (queues and their DLQs); no counterpart on AWS. */
  queues: "vendor-sync-local-queues",
} as const;

/** CreateTable inputs built from the shared key design, so the sandbox and CDK cannot drift. */
export function localTableDefinitions(): CreateTableCommandInput[] {
  return [
    {
      TableName: LOCAL_TABLES.records,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: RECORDS_TABLE.partitionKey, AttributeType: "S" },
        { AttributeName: RECORDS_TABLE.sortKey, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: RECORDS_TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: RECORDS_TABLE.sortKey, KeyType: "RANGE" },
      ],
    },
    {
      TableName: LOCAL_TABLES.sync,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: SYNC_TABLE.partitionKey, AttributeType: "S" },
        { AttributeName: SYNC_TABLE.sortKey, AttributeType: "S" },
        { AttributeName: SYNC_TABLE.byVendorPartitionKey, AttributeType: "S" },
        { AttributeName: SYNC_TABLE.byVendorSortKey, AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: SYNC_TABLE.partitionKey, KeyType: "HASH" },
        { AttributeName: SYNC_TABLE.sortKey, KeyType: "RANGE" },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: SYNC_TABLE.byVendorIndex,
          KeySchema: [
            { AttributeName: SYNC_TABLE.byVendorPartitionKey, KeyType: "HASH" },
            { AttributeName: SYNC_TABLE.byVendorSortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        },
      ],
    },
  ];
}

/** Tables only the sandbox has: the persisted stand-in for SQS. */
export function sandboxOnlyTableDefinitions(): CreateTableCommandInput[] {
  return [
    {
      TableName: LOCAL_TABLES.queues,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "queue", AttributeType: "S" },
        { AttributeName: "messageId", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "queue", KeyType: "HASH" },
        { AttributeName: "messageId", KeyType: "RANGE" },
      ],
    },
  ];
}

/** A running embedded DynamoDB (dynalite) with the project's tables, reached in process. */
export interface EmbeddedDynamo {
  /** A client on the store, without HTTP (see `embedded-dynamodb-client.ts`). */
  readonly client: EmbeddedDynamoClient;
  readonly tables: typeof LOCAL_TABLES;
  /** Another client on the same store (its own interceptors, as a second process would have its own client). */
  newClient(): EmbeddedDynamoClient;
  /** Closes the LevelDB store (flushes it to disk) after the operations in flight. */
  close(): Promise<void>;
}

/** @returns a DynamoDB client for a DynamoDB endpoint over HTTP (dummy credentials, no SDK retries hidden). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
}

/**
 * Opens dynalite's store in this process and creates the tables if they are missing. A store on a
 * data directory runs on a thread of its own, an in-memory one on this thread (embedded-dynamodb-host.ts).
 *
 * @param options.path - LevelDB folder to persist in; in memory when absent. One process per folder.
 * @param options.thread - `own` (a worker thread) or `caller` (this thread). @default `own` with a
 *   path, `caller` in memory
 */
export async function startEmbeddedDynamo(
  options: { path?: string; thread?: "own" | "caller" } = {},
): Promise<EmbeddedDynamo> {
  const where = options.path ? { path: options.path } : {};
  const store =
    (options.thread ?? (options.path ? "own" : "caller")) === "own"
      ? openStoreInWorker(where)
      : openStoreInThread(where);
  const client = new EmbeddedDynamoClient(store);
  try {
    await ensureTables(client, options.path);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    client,
    tables: LOCAL_TABLES,
    newClient: () => new EmbeddedDynamoClient(store),
    close: async () => {
      client.destroy();
      await store.close();
    },
  };
}

/**
 * A data directory written by an older version whose table keys differ from this version's (the
 * records table was keyed on `pk` alone with a `byVendor` index before it was keyed `pk`/`sk`).
 * The sandbox refuses it rather than read or write records it would misplace.
 */
export class StoreLayoutError extends Error {
  readonly table: string;
  constructor(table: string, found: string, expected: string, where: string | undefined) {
    super(
      `${where ? `the sandbox store in ${where}: ` : ""}table ${table} is keyed ${found}, but this version keys it ${expected} ` +
        "(written by an older version of vendor-sync; see docs/data-model.md). Move the directory aside or remove it, " +
        "then import your files again into a fresh one.",
    );
    this.name = "StoreLayoutError";
    this.table = table;
  }
}

const describeKeys = (keys: readonly { AttributeName?: string; KeyType?: string }[] | undefined, indexes: number) =>
  `${(keys ?? []).map((k) => `${k.AttributeName} (${k.KeyType})`).join(" + ")}${indexes > 0 ? ` with ${indexes} index(es)` : ""}`;

/**
 * Creates the project's tables when they do not exist yet (idempotent), and checks that tables found
 * have this version's keys and indexes.
 *
 * @param where - the data directory, named in errors.
 * @throws {StoreLayoutError} when a table was created with other keys or indexes (an older version's).
 */
export async function ensureTables(client: DynamoDBClient, where?: string): Promise<void> {
  for (const definition of [...localTableDefinitions(), ...sandboxOnlyTableDefinitions()]) {
    const describe = async () =>
      (await client.send(new DescribeTableCommand({ TableName: definition.TableName }))).Table;
    // Described first: on every start but the first the tables exist, and a CreateTable would only fail.
    let table: TableDescription | undefined;
    try {
      table = await describe();
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await client.send(new CreateTableCommand(definition));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
    for (let i = 0; i < 100; i++) {
      table ??= await describe();
      const found = describeKeys(table?.KeySchema, table?.GlobalSecondaryIndexes?.length ?? 0);
      const expected = describeKeys(definition.KeySchema, definition.GlobalSecondaryIndexes?.length ?? 0);
      if (found !== expected) throw new StoreLayoutError(String(definition.TableName), found, expected, where);
      if (table?.TableStatus === "ACTIVE") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
      table = undefined;
    }
  }
}
