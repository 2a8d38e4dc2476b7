import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { DedupClaim, DedupStore } from "../../core/ports.ts";
import { toStoreError } from "./errors.ts";
import { SYNC_TABLE, syncKeys } from "./table-design.ts";

const key = (vendorId: string, eventId: string) => {
  const k = syncKeys.dedup(vendorId, eventId);
  return { pk: { S: k.pk }, sk: { S: k.sk } };
};

/**
 * {@link DedupStore} in the sync table. A claim is one conditional put that succeeds when the event is
 * unknown, its in-progress lease has run out, or its retention has ended — expiry is checked in the
 * condition itself, because TTL deletes items up to days late. TTL (`expiresAt`, epoch seconds) only
 * cleans up.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
export class DynamoDedupStore implements DedupStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  async claim(vendorId: string, eventId: string, now: number, leaseMs: number): Promise<DedupClaim> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key(vendorId, eventId),
            status: { S: "IN_PROGRESS" },
            leaseUntil: { N: String(now + leaseMs) },
            [SYNC_TABLE.ttlAttribute]: { N: String(Math.ceil((now + leaseMs) / 1000) + 86_400) },
          },
          ConditionExpression:
            "attribute_not_exists(pk) OR (#status = :inProgress AND leaseUntil < :now) OR (#status = :completed AND retainUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":inProgress": { S: "IN_PROGRESS" },
            ":completed": { S: "COMPLETED" },
            ":now": { N: String(now) },
          },
        }),
      );
      return "acquired";
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // The embedded engine cannot return the item with the failure; one consistent read tells which state.
        return this.#stateOf(vendorId, eventId);
      }
      throw toStoreError(error, "PutItem dedup");
    }
  }

  async #stateOf(vendorId: string, eventId: string): Promise<DedupClaim> {
    const response = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: key(vendorId, eventId), ConsistentRead: true }),
    );
    return response.Item?.status?.S === "COMPLETED" ? "completed" : "in-progress";
  }

  async complete(vendorId: string, eventId: string, now: number, retentionMs: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(vendorId, eventId),
          UpdateExpression: "SET #status = :completed, retainUntil = :until, #ttl = :ttl REMOVE leaseUntil",
          ExpressionAttributeNames: { "#status": "status", "#ttl": SYNC_TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ":completed": { S: "COMPLETED" },
            ":until": { N: String(now + retentionMs) },
            ":ttl": { N: String(Math.ceil((now + retentionMs) / 1000)) },
          },
        }),
      );
    } catch (error) {
      throw toStoreError(error, "UpdateItem dedup");
    }
  }

  async release(vendorId: string, eventId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: key(vendorId, eventId),
          ConditionExpression: "#status = :inProgress",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":inProgress": { S: "IN_PROGRESS" } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw toStoreError(error, "DeleteItem dedup");
    }
  }
}
