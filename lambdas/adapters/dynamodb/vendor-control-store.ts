import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { ParkedMessage, VendorPauseControl } from "../../core/operations/vendor-pause.ts";
import { toStoreError } from "./errors.ts";
import { syncKeys } from "./table-design.ts";

const parkedPk = (vendorId: string) => `PARKED#${vendorId}`;

/**
 * {@link VendorPauseControl} in the sync table: the pause flag on the vendor state item, parked
 * messages under `PARKED#<vendor>` sorted by arrival. `isPaused` is cached for `cacheMs` per
 * execution environment so the ingest path does not read it on every delivery.
 */
export class DynamoVendorControl implements VendorPauseControl {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #cacheMs: number;
  readonly #cache = new Map<string, { paused: boolean; at: number }>();

  /** @param options.cacheMs - how long a pause flag read is reused, ms. @default 5000 */
  constructor(options: { client: DynamoDBClient; tableName: string; cacheMs?: number }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#cacheMs = options.cacheMs ?? 5_000;
  }

  async isPaused(vendorId: string): Promise<boolean> {
    const cached = this.#cache.get(vendorId);
    if (cached && Date.now() - cached.at < this.#cacheMs) return cached.paused;
    try {
      const response = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: marshall(syncKeys.vendorState(vendorId)),
          ProjectionExpression: "paused",
          ConsistentRead: true,
        }),
      );
      const paused = response.Item?.paused?.BOOL === true;
      this.#cache.set(vendorId, { paused, at: Date.now() });
      return paused;
    } catch (error) {
      throw toStoreError(error, "GetItem vendor state");
    }
  }

  async setPaused(vendorId: string, paused: boolean, by: string, now: number): Promise<void> {
    this.#cache.delete(vendorId);
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall(syncKeys.vendorState(vendorId)),
          UpdateExpression: "SET vendorId = :vendor, paused = :paused, pauseChangedBy = :by, pauseChangedAt = :now",
          ExpressionAttributeValues: marshall({ ":vendor": vendorId, ":paused": paused, ":by": by, ":now": now }),
        }),
      );
    } catch (error) {
      throw toStoreError(error, "UpdateItem vendor pause");
    }
  }

  async park(message: ParkedMessage): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: marshall({ pk: parkedPk(message.vendorId), sk: message.parkedKey, ...message }),
        }),
      );
    } catch (error) {
      throw toStoreError(error, "PutItem parked message");
    }
  }

  async listParked(vendorId: string, limit = 100): Promise<ParkedMessage[]> {
    const response = await this.#client.send(
      new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: marshall({ ":pk": parkedPk(vendorId) }),
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (response.Items ?? []).map((item) => {
      const { pk: _pk, sk: _sk, ...message } = unmarshall(item);
      return message as ParkedMessage;
    });
  }

  async removeParked(vendorId: string, parkedKey: string): Promise<void> {
    await this.#client.send(
      new DeleteItemCommand({ TableName: this.#table, Key: marshall({ pk: parkedPk(vendorId), sk: parkedKey }) }),
    );
  }
}
