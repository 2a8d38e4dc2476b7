/**
 * Key design of the two tables, shared by the CDK constructs, the DynamoDB adapters and the embedded
 * store, so there is exactly one definition. No SDK imports here.
 *
 * @see ../../../docs/data-model.md
 */
import { createHash } from "node:crypto";
import type { RecordKey } from "../../core/model.ts";

/** Records table: one item per `(vendorId, entityType, entityKey)`. */
export const RECORDS_TABLE = {
  partitionKey: "pk",
  /** Write-sharded index for per-vendor listing. Keys only, so updates that keep the key cost no index write. */
  byVendorIndex: "byVendor",
  byVendorPartitionKey: "vendorShard",
  byVendorSortKey: "typeKey",
} as const;

/**
 * Shards per vendor in the `byVendor` index. A 1M-row import spreads over this many index partitions
 * instead of one (each partition takes 1,000 WCU/s).
 */
export const VENDOR_INDEX_SHARDS = 16;

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

/** @returns the records-table partition key: `vendorId#entityType#entityKey` (vendor ids and types hold no `#`). */
export function recordPartitionKey(key: RecordKey): string {
  return `${key.vendorId}#${key.entityType}#${key.entityKey}`;
}

/** @returns the index shard (0 … {@link VENDOR_INDEX_SHARDS} − 1) of an entity key: stable, evenly spread. */
export function vendorShard(entityKey: string): number {
  return createHash("md5").update(entityKey).digest().readUInt16BE(0) % VENDOR_INDEX_SHARDS;
}

/** @returns the `byVendor` index keys of a record. */
export function recordIndexKeys(key: RecordKey): { vendorShard: string; typeKey: string } {
  return {
    vendorShard: `${key.vendorId}#${vendorShard(key.entityKey)}`,
    typeKey: `${key.entityType}#${key.entityKey}`,
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
