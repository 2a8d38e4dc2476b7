import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { escapeMapKeys, unescapeMapKeys } from "./map-keys.ts";
import { SYNC_TABLE } from "./table-design.ts";

/** Where the sync table is, and how long its finished items are kept. */
export interface SyncTableOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a finished job is kept (TTL). @default 90 */
  readonly jobRetentionDays?: number;
  /** Days a resolved conflict is kept (TTL). @default 180 */
  readonly conflictRetentionDays?: number;
}

/** Seconds in a day (TTL arithmetic). */
export const DAY_SECONDS = 86_400;

/** @returns epoch ms as ISO 8601 text (index sort keys sort by time). */
export const iso = (ms: number) => new Date(ms).toISOString();

/** Marshalls an item; map keys the SDK cannot carry (vendor attributes in conflicts) are escaped (map-keys.ts). */
export const toAttrs = (value: Record<string, unknown>) =>
  marshall(escapeMapKeys(value), { removeUndefinedValues: true, convertClassInstanceToMap: false });

/** @returns a stored item without its table keys, index keys, type and TTL, map keys unescaped. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _type, expiresAt: _ttl, ...rest } = item;
  return unescapeMapKeys(rest) as T;
}

/** The condition of a {@link SyncTable.updateIf}: the update happens only when `expression` holds. */
export interface UpdateGuard {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
  /** Attributes to remove. */
  readonly remove?: readonly string[];
  /**
   * `SET` actions computed by DynamoDB from the stored item (e.g. `#d = :t - if_not_exists(#s, :t)`),
   * over `names` and `values`.
   */
  readonly computed?: readonly string[];
  /** What the update does, for the error message of a failed call (e.g. `claim step`). */
  readonly what?: string;
}

/** The condition of a {@link SyncTable.update}, and the error it throws when the condition fails. */
export interface UpdateCondition extends UpdateGuard {
  readonly error: () => Error;
}

/**
 * The item operations every store over the sync table shares (single-table design; keys in
 * `table-design.ts`): a consistent read, a query of the `byVendor` index, and a conditional update.
 */
export class SyncTable {
  readonly client: DynamoDBClient;
  readonly name: string;
  readonly options: SyncTableOptions;

  constructor(options: SyncTableOptions) {
    this.client = options.client;
    this.name = options.tableName;
    this.options = options;
  }

  /** Reads one item, strongly consistent. @throws {TransientError} on throttling or timeouts. */
  async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    try {
      const response = await this.client.send(
        new GetItemCommand({ TableName: this.name, Key: toAttrs(key), ConsistentRead: true }),
      );
      return response.Item ? unmarshall(response.Item) : undefined;
    } catch (error) {
      throw toStoreError(error, "GetItem");
    }
  }

  /**
   * Reads up to `limit` items of one `byVendor` index partition, following pages.
   * @param sortFrom - only sort keys at or after this one.
   * @param ascending - oldest first. @default false
   */
  async queryIndex(
    partition: string,
    sortFrom: string | undefined,
    limit = 50,
    ascending = false,
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const response = await this.client.send(
        new QueryCommand({
          TableName: this.name,
          IndexName: SYNC_TABLE.byVendorIndex,
          KeyConditionExpression: sortFrom ? "#pk = :pk AND #sk >= :from" : "#pk = :pk",
          ExpressionAttributeNames: {
            "#pk": SYNC_TABLE.byVendorPartitionKey,
            ...(sortFrom ? { "#sk": SYNC_TABLE.byVendorSortKey } : {}),
          },
          ExpressionAttributeValues: { ":pk": { S: partition }, ...(sortFrom ? { ":from": { S: sortFrom } } : {}) },
          ScanIndexForward: ascending,
          Limit: limit - out.length,
          ExclusiveStartKey: startKey,
        }),
      );
      out.push(...(response.Items ?? []).map((item) => unmarshall(item)));
      startKey = response.LastEvaluatedKey;
    } while (startKey && out.length < limit);
    return out;
  }

  /**
   * Sets the defined fields of `set` (and removes `condition.remove`) when `condition.expression` holds.
   * @returns the item as it is after the update (`ReturnValues: ALL_NEW`: no extra read capacity).
   * @throws the condition's error when it does not; {@link TransientError} on throttling or timeouts.
   */
  async update(
    key: { pk: string; sk: string },
    set: Record<string, unknown>,
    condition: UpdateCondition,
  ): Promise<Record<string, unknown>> {
    const item = await this.updateIf(key, set, condition);
    if (item === undefined) throw condition.error();
    return item;
  }

  /**
   * {@link SyncTable.update} for callers to whom a failed condition is an answer, not an error.
   * @returns the item as it is after the update, or `undefined` when the condition did not hold.
   * @throws {TransientError} on throttling or timeouts.
   */
  async updateIf(
    key: { pk: string; sk: string },
    set: Record<string, unknown>,
    condition: UpdateGuard,
  ): Promise<Record<string, unknown> | undefined> {
    const names: Record<string, string> = { ...condition.names };
    const values: Record<string, AttributeValue> = { ...condition.values };
    const assignments: string[] = [];
    Object.entries(set).forEach(([field, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = field;
      values[`:v${i}`] = toAttrs({ value }).value as AttributeValue;
      assignments.push(`#f${i} = :v${i}`);
    });
    assignments.push(...(condition.computed ?? []));
    const removals = (condition.remove ?? []).map((field, i) => {
      names[`#r${i}`] = field;
      return `#r${i}`;
    });
    const actions = [
      ...(assignments.length > 0 ? [`SET ${assignments.join(", ")}`] : []),
      ...(removals.length > 0 ? [`REMOVE ${removals.join(", ")}`] : []),
    ];
    try {
      const response = await this.client.send(
        new UpdateItemCommand({
          TableName: this.name,
          Key: toAttrs(key),
          UpdateExpression: actions.join(" "),
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
          ReturnValues: "ALL_NEW",
        }),
      );
      return unmarshall(response.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw toStoreError(error, condition.what ? `UpdateItem ${condition.what}` : "UpdateItem");
    }
  }
}
