import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type { RecordKeyLister } from "../../core/batch/ports.ts";
import type { EntityType, RecordKey } from "../../core/model.ts";
import { toStoreError } from "./errors.ts";
import {
  entityTypePrefix,
  RECORDS_TABLE,
  recordKeyOf,
  shardPartitionKey,
  VENDOR_SHARDS,
  vendorShard,
} from "./table-design.ts";

/**
 * {@link RecordKeyLister} on the records table's own keys (a vendor's shard is one partition key,
 * `table-design.ts`): one Query (paged, eventually consistent, only the sort key projected) per
 * shard and entity type. DynamoDB bills a Query by the size of the items it reads, not by what it
 * returns: a full snapshot of a vendor reads its items once, about 0.5 RCU per 4 KB of them.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
export class DynamoRecordKeyLister implements RecordKeyLister {
  readonly shards = VENDOR_SHARDS;
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
              KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :type)",
              ExpressionAttributeNames: { "#pk": RECORDS_TABLE.partitionKey, "#sk": RECORDS_TABLE.sortKey },
              ExpressionAttributeValues: {
                ":pk": { S: shardPartitionKey(vendorId, shard) },
                ":type": { S: entityTypePrefix(entityType) },
              },
              ProjectionExpression: "#pk, #sk",
              ExclusiveStartKey: startKey,
            }),
          );
        } catch (error) {
          throw toStoreError(error, "Query records by vendor shard");
        }
        for (const item of response.Items ?? []) {
          yield recordKeyOf(item[RECORDS_TABLE.partitionKey]?.S ?? "", item[RECORDS_TABLE.sortKey]?.S ?? "");
        }
        startKey = response.LastEvaluatedKey;
      } while (startKey);
    }
  }
}
