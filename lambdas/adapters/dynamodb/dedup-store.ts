import { randomUUID } from "node:crypto";
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
 * cleans up. Each claim carries a random token; completing or releasing is conditional on it.
 *
 * With a `session` (the sandbox: one process owns the data directory, so a claim made under another
 * session belongs to a process that is gone), an in-progress claim of another session is taken over
 * at once instead of after its lease.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
export class DynamoDedupStore implements DedupStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #session: string | undefined;

  constructor(options: { client: DynamoDBClient; tableName: string; session?: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#session = options.session;
  }

  async claim(vendorId: string, eventId: string, now: number, leaseMs: number): Promise<DedupClaim> {
    const token = randomUUID();
    const session = this.#session;
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            ...key(vendorId, eventId),
            status: { S: "IN_PROGRESS" },
            claimToken: { S: token },
            leaseUntil: { N: String(now + leaseMs) },
            ...(session ? { session: { S: session } } : {}),
            [SYNC_TABLE.ttlAttribute]: { N: String(Math.ceil((now + leaseMs) / 1000) + 86_400) },
          },
          ConditionExpression: [
            "attribute_not_exists(pk)",
            "(#status = :inProgress AND leaseUntil < :now)",
            "(#status = :completed AND retainUntil < :now)",
            ...(session
              ? ["(#status = :inProgress AND (attribute_not_exists(#session) OR #session <> :session))"]
              : []),
          ].join(" OR "),
          ExpressionAttributeNames: { "#status": "status", ...(session ? { "#session": "session" } : {}) },
          ExpressionAttributeValues: {
            ":inProgress": { S: "IN_PROGRESS" },
            ":completed": { S: "COMPLETED" },
            ":now": { N: String(now) },
            ...(session ? { ":session": { S: session } } : {}),
          },
        }),
      );
      return { state: "acquired", token };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // The embedded engine cannot return the item with the failure; one consistent read tells which state.
        return this.#stateOf(vendorId, eventId, now);
      }
      throw toStoreError(error, "PutItem dedup");
    }
  }

  async #stateOf(vendorId: string, eventId: string, now: number): Promise<DedupClaim> {
    const response = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: key(vendorId, eventId), ConsistentRead: true }),
    );
    if (response.Item?.status?.S === "COMPLETED") return { state: "completed" };
    // Gone between the put and the read (released): a retry claims it.
    return { state: "in-progress", leaseUntil: Number(response.Item?.leaseUntil?.N ?? now) };
  }

  async complete(vendorId: string, eventId: string, token: string, now: number, retentionMs: number): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key(vendorId, eventId),
          UpdateExpression: "SET #status = :completed, retainUntil = :until, #ttl = :ttl REMOVE leaseUntil",
          ConditionExpression: "claimToken = :token",
          ExpressionAttributeNames: { "#status": "status", "#ttl": SYNC_TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ":completed": { S: "COMPLETED" },
            ":until": { N: String(now + retentionMs) },
            ":ttl": { N: String(Math.ceil((now + retentionMs) / 1000)) },
            ":token": { S: token },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw toStoreError(error, "UpdateItem dedup");
    }
  }

  async release(vendorId: string, eventId: string, token: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: key(vendorId, eventId),
          ConditionExpression: "#status = :inProgress AND claimToken = :token",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":inProgress": { S: "IN_PROGRESS" }, ":token": { S: token } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw toStoreError(error, "DeleteItem dedup");
    }
  }
}
