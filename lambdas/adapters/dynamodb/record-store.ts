import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { ItemTooLargeError, TransientError } from "../../core/errors.ts";
import { type EntityType, type RecordKey, recordId } from "../../core/model.ts";
import type { RecordStore } from "../../core/ports.ts";
import type { Precondition, SyncRecord } from "../../core/record.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { MAX_ITEM_BYTES } from "./item-size.ts";
import { COMPRESSED_ATTRIBUTES, fromItem, toSizedItem } from "./record-item.ts";
import { entityTypePrefix, RECORDS_TABLE, recordTableKey, shardPartitionKey, VENDOR_SHARDS } from "./table-design.ts";

export interface DynamoRecordStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Attempts for BatchGetItem unprocessed keys before giving up with a TransientError. @default 8 */
  readonly maxBatchGetAttempts?: number;
  /** Counts SDK calls and consumed capacity (benchmarks). */
  readonly onCapacity?: (operation: string, capacityUnits: number) => void;
  /**
   * Called after every successful write with the item before it (PutItem `ReturnValues: ALL_OLD`)
   * and after it, exactly as the table's stream reports them (OldImage, NewImage): the sandbox's
   * stand-in for the stream, through which every workflow's writes pass. On AWS the stream does this
   * and the option is left unset (no returned values).
   */
  readonly onWritten?: (before: SyncRecord | undefined, after: SyncRecord) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A condition expression with its placeholders. */
interface Condition {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values?: Record<string, AttributeValue>;
}

/** Named condition fragments of the records table's conditional writes. */
export const recordConditions = {
  /** Create only: no record with this key exists yet. */
  absent: (): Condition => ({ expression: "attribute_not_exists(#pk)", names: { "#pk": RECORDS_TABLE.partitionKey } }),
  /** Update only: the stored record has had no write since the decision was made on it. */
  revisionIs: (revision: number): Condition => ({
    expression: "#revision = :expectedRevision",
    names: { "#revision": "revision" },
    values: { ":expectedRevision": { N: String(revision) } },
  }),
  /** Update only, of a record written before `revision` existed: still that version, still no revision. */
  versionWithoutRevision: (version: number): Condition => ({
    expression: "#version = :expectedVersion AND attribute_not_exists(#revision)",
    names: { "#version": "version", "#revision": "revision" },
    values: { ":expectedVersion": { N: String(version) } },
  }),
} as const;

/** @returns the condition of a write decided against the record `expected` describes. */
export function conditionFor(expected: Precondition | undefined): Condition {
  if (expected === undefined) return recordConditions.absent();
  return expected.revision === undefined
    ? recordConditions.versionWithoutRevision(expected.version)
    : recordConditions.revisionIs(expected.revision);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * {@link RecordStore} on DynamoDB: BatchGetItem reads (eventually consistent unless asked), single-item
 * conditional PutItem writes checked on `revision` (see {@link conditionFor}). No transactions: they double the write cost and the
 * embedded engine cannot run them.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.ConditionalUpdate
 */
export class DynamoRecordStore implements RecordStore {
  readonly #options: DynamoRecordStoreOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoRecordStoreOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? sleepFor;
  }

  #capacity(operation: string, consumed: { CapacityUnits?: number }[] | { CapacityUnits?: number } | undefined) {
    if (!this.#options.onCapacity || !consumed) return;
    const list = Array.isArray(consumed) ? consumed : [consumed];
    this.#options.onCapacity(
      operation,
      list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
    );
  }

  async getMany(keys: readonly RecordKey[], options: { consistent?: boolean } = {}): Promise<Map<string, SyncRecord>> {
    const found = new Map<string, SyncRecord>();
    for (let start = 0; start < keys.length; start += 100) {
      let pending: Record<string, AttributeValue>[] = keys.slice(start, start + 100).map((key) => tableKey(key));
      const maxAttempts = this.#options.maxBatchGetAttempts ?? 8;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > maxAttempts) {
          throw new TransientError(
            `BatchGetItem left ${pending.length} keys unprocessed after ${maxAttempts} attempts`,
          );
        }
        if (attempt > 1) await this.#sleep(Math.floor(Math.random() * Math.min(1000, 25 * 2 ** attempt)));
        try {
          const response = await this.#options.client.send(
            new BatchGetItemCommand({
              RequestItems: {
                [this.#options.tableName]: { Keys: pending, ConsistentRead: options.consistent ?? false },
              },
              ReturnConsumedCapacity: this.#options.onCapacity ? "TOTAL" : undefined,
            }),
          );
          this.#capacity("BatchGetItem", response.ConsumedCapacity);
          for (const item of response.Responses?.[this.#options.tableName] ?? []) {
            const record = fromItem(item);
            found.set(recordId(record), record);
          }
          pending = response.UnprocessedKeys?.[this.#options.tableName]?.Keys ?? [];
        } catch (error) {
          throw toStoreError(error, "BatchGetItem");
        }
      }
    }
    return found;
  }

  async get(key: RecordKey, options: { consistent?: boolean } = {}): Promise<SyncRecord | undefined> {
    try {
      const response = await this.#options.client.send(
        new GetItemCommand({
          TableName: this.#options.tableName,
          Key: tableKey(key),
          ConsistentRead: options.consistent ?? true,
          ReturnConsumedCapacity: this.#options.onCapacity ? "TOTAL" : undefined,
        }),
      );
      this.#capacity("GetItem", response.ConsumedCapacity);
      return response.Item ? fromItem(response.Item) : undefined;
    } catch (error) {
      throw toStoreError(error, "GetItem");
    }
  }

  async put(record: SyncRecord, expected: Precondition | undefined): Promise<"written" | "condition-failed"> {
    const size = toSizedItem(record);
    const item = size.item;
    if (size.bytes > MAX_ITEM_BYTES) {
      throw new ItemTooLargeError(size.bytes, MAX_ITEM_BYTES, {
        field:
          size.largest === "attributes" || size.largest === COMPRESSED_ATTRIBUTES
            ? largestAttribute(record)
            : size.largest,
      });
    }
    const condition = conditionFor(expected);
    try {
      const response = await this.#options.client.send(
        new PutItemCommand({
          TableName: this.#options.tableName,
          Item: item,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
          ReturnConsumedCapacity: this.#options.onCapacity ? "TOTAL" : undefined,
          ...(this.#options.onWritten ? { ReturnValues: "ALL_OLD" as const } : {}),
        }),
      );
      this.#capacity("PutItem", response.ConsumedCapacity);
      this.#options.onWritten?.(response.Attributes ? fromItem(response.Attributes) : undefined, record);
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        // A failed condition still consumes write capacity (at least 1 WCU).
        this.#options.onCapacity?.("PutItem", Math.max(1, Math.ceil(size.bytes / 1024)));
        return "condition-failed";
      }
      throw toStoreError(error, "PutItem");
    }
    return "written";
  }

  /**
   * Lists a vendor's records in `(entityType, entityKey)` order: each shard's partition queried in
   * sort-key order (strongly consistent, at most `limit` items from each), merged.
   * @param options.entityType - only this type. @param options.limit - at most this many. @default 100
   */
  async listByVendor(
    vendorId: string,
    options: { entityType?: EntityType; limit?: number } = {},
  ): Promise<SyncRecord[]> {
    const limit = options.limit ?? 100;
    const found: SyncRecord[] = [];
    for (let shard = 0; shard < VENDOR_SHARDS; shard++) {
      let startKey: Record<string, AttributeValue> | undefined;
      let fromShard = 0;
      do {
        const response = await this.#options.client.send(
          new QueryCommand({
            TableName: this.#options.tableName,
            KeyConditionExpression: options.entityType ? "#pk = :pk AND begins_with(#sk, :type)" : "#pk = :pk",
            ExpressionAttributeNames: {
              "#pk": RECORDS_TABLE.partitionKey,
              ...(options.entityType ? { "#sk": RECORDS_TABLE.sortKey } : {}),
            },
            ExpressionAttributeValues: {
              ":pk": { S: shardPartitionKey(vendorId, shard) },
              ...(options.entityType ? { ":type": { S: entityTypePrefix(options.entityType) } } : {}),
            },
            ConsistentRead: true,
            Limit: limit - fromShard,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of response.Items ?? []) found.push(fromItem(item));
        fromShard += response.Items?.length ?? 0;
        startKey = response.LastEvaluatedKey;
      } while (startKey && fromShard < limit);
    }
    found.sort((a, b) =>
      a.entityType === b.entityType ? (a.entityKey < b.entityKey ? -1 : 1) : a.entityType < b.entityType ? -1 : 1,
    );
    return found.slice(0, limit);
  }
}

/** @returns a record's table key as DynamoDB takes it. */
function tableKey(key: RecordKey): Record<string, AttributeValue> {
  const { pk, sk } = recordTableKey(key);
  return { [RECORDS_TABLE.partitionKey]: { S: pk }, [RECORDS_TABLE.sortKey]: { S: sk } };
}

function largestAttribute(record: SyncRecord): string | undefined {
  let largest: string | undefined;
  let size = -1;
  for (const [name, value] of Object.entries(record.attributes)) {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
    if (bytes > size) {
      size = bytes;
      largest = `attributes.${name}`;
    }
  }
  return largest;
}
