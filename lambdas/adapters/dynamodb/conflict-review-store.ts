import { ConditionalCheckFailedException, type DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { ConflictReviewStore } from "../../core/operations/resolve-conflict.ts";
import type { ConflictItem } from "../../core/ports.ts";
import type { DynamoConflictStore } from "./conflict-store.ts";
import { toStoreError } from "./errors.ts";
import { SYNC_TABLE, syncKeys } from "./table-design.ts";

/** How long a claim blocks other admins before it counts as abandoned, ms. */
const CLAIM_LEASE_MS = 5 * 60_000;
/** Days a resolved conflict is kept (TTL). */
const RESOLVED_RETENTION_DAYS = 180;

/**
 * Conflict review bookkeeping in the sync table: OPEN → RESOLVING (one admin's claim, with a lease)
 * → RESOLVED (moved to the vendor's RESOLVED index partition, expiring after 180 days).
 */
export class DynamoConflictReviewStore implements ConflictReviewStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #sync: Pick<DynamoConflictStore, "getConflict">;

  constructor(options: { client: DynamoDBClient; tableName: string; sync: Pick<DynamoConflictStore, "getConflict"> }) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#sync = options.sync;
  }

  getConflict(conflictId: string): Promise<ConflictItem | undefined> {
    return this.#sync.getConflict(conflictId);
  }

  async claimConflict(conflictId: string, by: string, now: number): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall(syncKeys.conflict(conflictId)),
          UpdateExpression: "SET #status = :resolving, resolvingBy = :by, resolvingAt = :now",
          ConditionExpression: "#status = :open OR (#status = :resolving AND resolvingAt < :stale)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: marshall({
            ":resolving": "RESOLVING",
            ":open": "OPEN",
            ":by": by,
            ":now": now,
            ":stale": now - CLAIM_LEASE_MS,
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toStoreError(error, "UpdateItem conflict claim");
      const current = (await this.#sync.getConflict(conflictId)) as
        | (ConflictItem & { resolvingBy?: string; resolvingAt?: number })
        | undefined;
      if (current?.status === "SUPERSEDED" && current.supersededBy) {
        const by = current.supersededBy;
        throw new ConcurrentUpdateError(
          `conflict ${conflictId} was superseded by a newer change of its record (event ${by.eventId} of ${new Date(by.sourceTs).toISOString()}): there is nothing to review`,
        );
      }
      if (current?.status === "RESOLVED" && current.resolution) {
        const r = current.resolution;
        throw new ConcurrentUpdateError(
          `conflict ${conflictId} was already resolved by ${r.by} at ${new Date(r.at).toISOString()} (${r.action})`,
        );
      }
      throw new ConcurrentUpdateError(
        `conflict ${conflictId} is being resolved by ${current?.resolvingBy ?? "another admin"} since ${current?.resolvingAt ? new Date(current.resolvingAt).toISOString() : "just now"}`,
      );
    }
  }

  async releaseConflict(conflictId: string, by: string, note: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall(syncKeys.conflict(conflictId)),
          UpdateExpression: "SET #status = :open, lastAttempt = :note REMOVE resolvingBy, resolvingAt",
          ConditionExpression: "#status = :resolving AND resolvingBy = :by",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: marshall({
            ":open": "OPEN",
            ":resolving": "RESOLVING",
            ":by": by,
            ":note": `${by}: ${note}`,
          }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw toStoreError(error, "UpdateItem conflict release");
    }
  }

  async finishConflict(conflict: ConflictItem, resolution: NonNullable<ConflictItem["resolution"]>): Promise<void> {
    const sortKey = `${new Date(resolution.at).toISOString()}#${conflict.conflictId}`;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: marshall(syncKeys.conflict(conflict.conflictId)),
          UpdateExpression:
            "SET #status = :resolved, resolution = :resolution, #gpk = :gpk, #gsk = :gsk, #ttl = :ttl REMOVE resolvingBy, resolvingAt",
          ConditionExpression: "#status = :resolving AND resolvingBy = :by",
          ExpressionAttributeNames: {
            "#status": "status",
            "#gpk": SYNC_TABLE.byVendorPartitionKey,
            "#gsk": SYNC_TABLE.byVendorSortKey,
            "#ttl": SYNC_TABLE.ttlAttribute,
          },
          ExpressionAttributeValues: marshall(
            {
              ":resolved": "RESOLVED",
              ":resolving": "RESOLVING",
              ":by": resolution.by,
              ":resolution": resolution,
              ":gpk": syncKeys.conflictsByVendor(conflict.vendorId, "RESOLVED"),
              ":gsk": sortKey,
              ":ttl": Math.floor(resolution.at / 1000) + RESOLVED_RETENTION_DAYS * 86_400,
            },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrentUpdateError(`conflict ${conflict.conflictId} is no longer claimed by ${resolution.by}`);
      }
      throw toStoreError(error, "UpdateItem conflict finish");
    }
  }
}
