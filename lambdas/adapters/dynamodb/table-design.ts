/**
 * Key design of the two tables, shared by the CDK constructs, the DynamoDB adapters and the embedded
 * store, so there is exactly one definition. No SDK imports here.
 *
 * @see ../../../docs/data-model.md
 */
import { createHash } from "node:crypto";
import type { EntityType, RecordKey } from "../../core/model.ts";

/**
 * Records table: one item per `(vendorId, entityType, entityKey)`, keyed so that a vendor's records
 * can be listed from the table itself (no index, so a create writes one item and nothing else):
 *
 * - partition key `pk` = `vendorId#shard`, the shard being md5(entityKey) mod {@link VENDOR_SHARDS}:
 *   a vendor's writes spread over that many partition keys (each takes 1,000 WCU/s);
 * - sort key `sk` = `entityType#entityKey`.
 *
 * The record's `vendorId`, `entityType` and `entityKey` are not stored again beside the keys
 * (`record-item.ts` restores them from the keys).
 *
 * @see ../../../docs/data-model.md
 */
export const RECORDS_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
} as const;

/**
 * Shards per vendor: a 1M-row import spreads over this many partition keys instead of one (each
 * partition key takes 1,000 WCU/s and 3,000 RCU/s), and a vendor's listing queries each of them.
 */
export const VENDOR_SHARDS = 16;

/** Sync table: jobs, conflicts, vendor state and event de-duplication in one table. */
export const SYNC_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  byVendorIndex: "byVendor",
  byVendorPartitionKey: "gsi1pk",
  byVendorSortKey: "gsi1sk",
  /** TTL attribute, epoch seconds. */
  ttlAttribute: "expiresAt",
} as const;

/** @returns the shard (0 … {@link VENDOR_SHARDS} − 1) of an entity key: stable, evenly spread. */
export function vendorShard(entityKey: string): number {
  return createHash("md5").update(entityKey).digest().readUInt16BE(0) % VENDOR_SHARDS;
}

/** @returns the partition key of one of a vendor's shards: `vendorId#shard`. */
export function shardPartitionKey(vendorId: string, shard: number): string {
  return `${vendorId}#${shard}`;
}

/** @returns the sort-key prefix of an entity type's records within a shard: `entityType#`. */
export const entityTypePrefix = (entityType: EntityType): string => `${entityType}#`;

/** @returns a record's table key: `pk` = `vendorId#shard`, `sk` = `entityType#entityKey`. */
export function recordTableKey(key: RecordKey): { pk: string; sk: string } {
  return {
    pk: shardPartitionKey(key.vendorId, vendorShard(key.entityKey)),
    sk: `${entityTypePrefix(key.entityType)}${key.entityKey}`,
  };
}

/**
 * @returns the record key a table key holds (vendor ids and entity types hold no `#`; entity keys may).
 * @throws {RangeError} when the keys are not of this design (an item of an older table layout).
 */
export function recordKeyOf(pk: string, sk: string): RecordKey {
  const shardAt = pk.lastIndexOf("#");
  const typeEnd = sk.indexOf("#");
  if (shardAt <= 0 || typeEnd <= 0) throw new RangeError(`not a records-table key: pk ${pk}, sk ${sk}`);
  return {
    vendorId: pk.slice(0, shardAt),
    entityType: sk.slice(0, typeEnd) as EntityType,
    entityKey: sk.slice(typeEnd + 1),
  };
}

/** Sync-table keys of each item kind. */
export const syncKeys = {
  job: (jobId: string) => ({ pk: `JOB#${jobId}`, sk: "JOB" }),
  jobsByVendor: (vendorId: string) => `VENDOR#${vendorId}#JOB`,
  conflict: (conflictId: string) => ({ pk: `CONFLICT#${conflictId}`, sk: "CONFLICT" }),
  conflictsByVendor: (vendorId: string, status: "OPEN" | "RESOLVED" | "SUPERSEDED") =>
    `VENDOR#${vendorId}#CONFLICT#${status}`,
  vendorState: (vendorId: string) => ({ pk: `VENDOR#${vendorId}`, sk: "STATE" }),
  dedup: (vendorId: string, eventId: string) => ({ pk: `EVENT#${vendorId}#${eventId}`, sk: "DEDUP" }),
} as const;
