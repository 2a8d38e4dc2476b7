import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { RECORDS_TABLE, SYNC_TABLE } from "../lambdas/adapters/dynamodb/table-design.ts";

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
        { AttributeName: RECORDS_TABLE.byVendorPartitionKey, AttributeType: "S" },
        { AttributeName: RECORDS_TABLE.byVendorSortKey, AttributeType: "S" },
      ],
      KeySchema: [{ AttributeName: RECORDS_TABLE.partitionKey, KeyType: "HASH" }],
      GlobalSecondaryIndexes: [
        {
          IndexName: RECORDS_TABLE.byVendorIndex,
          KeySchema: [
            { AttributeName: RECORDS_TABLE.byVendorPartitionKey, KeyType: "HASH" },
            { AttributeName: RECORDS_TABLE.byVendorSortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
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

/** A running embedded DynamoDB (dynalite) with the project's tables. */
export interface EmbeddedDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tables: typeof LOCAL_TABLES;
  /** Stops the server and closes the LevelDB store (flushes it to disk). */
  close(): Promise<void>;
}

/** @returns a DynamoDB client for a local endpoint (dummy credentials, no SDK retries hidden). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
}

/**
 * Starts dynalite on a free loopback port and creates the tables if they are missing.
 *
 * @param options.path - LevelDB folder to persist in; in memory when absent. One process per folder.
 * @param options.port - @default 0 (any free port)
 */
export async function startEmbeddedDynamo(options: { path?: string; port?: number } = {}): Promise<EmbeddedDynamo> {
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoClient(endpoint);
  await ensureTables(client);
  return {
    endpoint,
    client,
    tables: LOCAL_TABLES,
    close: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** Creates the project's tables when they do not exist yet (idempotent). */
export async function ensureTables(client: DynamoDBClient): Promise<void> {
  for (const definition of [...localTableDefinitions(), ...sandboxOnlyTableDefinitions()]) {
    try {
      await client.send(new CreateTableCommand(definition));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let i = 0; i < 100; i++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
      if (Table?.TableStatus === "ACTIVE") break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
