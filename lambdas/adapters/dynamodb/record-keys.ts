import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type { RecordKeyLister } from "../../core/batch/ports.ts";
import type { EntityType, RecordKey } from "../../core/model.ts";
import { toStoreError } from "./errors.ts";
import { RECORDS_TABLE, VENDOR_INDEX_SHARDS, vendorShard } from "./table-design.ts";

/**
 * {@link RecordKeyLister} on the records table's keys-only, write-sharded `byVendor` index: one
 * Query (paged) per shard and entity type, so a full snapshot reads only keys, never items.
 */
export class DynamoRecordKeyLister implements RecordKeyLister {
  readonly shards = VENDOR_INDEX_SHARDS;
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  shardOf(entityKey: string): number {
    return vendorShard(entityKey);
  }

  async *listKeys(vendorId: string, shard: number, entityTypes: readonly EntityType[]): AsyncIterable<RecordKey> {
    for (const entityType of entityTypes) {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        let response: QueryCommandOutput;
        try {
          response = await this.#client.send(
            new QueryCommand({
              TableName: this.#table,
              IndexName: RECORDS_TABLE.byVendorIndex,
              KeyConditionExpression: "#shard = :shard AND begins_with(#type, :type)",
              ExpressionAttributeNames: {
                "#shard": RECORDS_TABLE.byVendorPartitionKey,
                "#type": RECORDS_TABLE.byVendorSortKey,
              },
              ExpressionAttributeValues: { ":shard": { S: `${vendorId}#${shard}` }, ":type": { S: `${entityType}#` } },
              ExclusiveStartKey: startKey,
            }),
          );
        } catch (error) {
          throw toStoreError(error, "Query byVendor");
        }
        for (const item of response.Items ?? []) {
          const typeKey = item[RECORDS_TABLE.byVendorSortKey]?.S ?? "";
          yield { vendorId, entityType, entityKey: typeKey.slice(entityType.length + 1) };
        }
        startKey = response.LastEvaluatedKey;
      } while (startKey);
    }
  }
}
