import type { Change } from "./change.ts";
import type { ConflictDraft } from "./conflict-rules.ts";
import type { EntityType, RecordKey } from "./model.ts";
import type { SyncRecord } from "./record.ts";

/**
 * Where records live. The DynamoDB adapter implements it for AWS and the embedded store alike.
 */
export interface RecordStore {
  /**
   * Reads the current records for up to 100 keys (BatchGetItem; unprocessed keys retried).
   * @param options.consistent - strongly consistent read (1 RCU per 4 KB instead of 0.5). @default false
   * @returns records by {@link recordId}; absent keys are missing from the map.
   */
  getMany(keys: readonly RecordKey[], options?: { consistent?: boolean }): Promise<Map<string, SyncRecord>>;
  /** Reads one record. @param options.consistent - @default true */
  get(key: RecordKey, options?: { consistent?: boolean }): Promise<SyncRecord | undefined>;
  /**
   * Writes a record if the stored one still has `expectedVersion` (or, when `undefined`, does not exist).
   * @returns `"written"`, or `"condition-failed"` when someone else wrote first.
   * @throws {ItemTooLargeError} when the item would exceed DynamoDB's 400 KB limit.
   * @throws {TransientError} on throttling or timeouts.
   */
  put(record: SyncRecord, expectedVersion: number | undefined): Promise<"written" | "condition-failed">;
}

/** A stored manual-review conflict. */
export interface ConflictItem {
  readonly conflictId: string;
  readonly vendorId: string;
  readonly entityType: EntityType;
  readonly entityKey: string;
  readonly status: "OPEN" | "RESOLVED";
  readonly reason: ConflictDraft["reason"];
  readonly message: string;
  readonly recordVersion: number;
  readonly current: ConflictDraft["current"];
  readonly incoming: Change;
  readonly proposed: ConflictDraft["proposed"];
  readonly diff: ConflictDraft["diff"];
  /** Epoch ms. */
  readonly createdAt: number;
  readonly resolution?: {
    readonly action: "accept" | "reject" | "edit";
    readonly by: string;
    /** Epoch ms. */
    readonly at: number;
    readonly appliedVersion?: number;
    readonly note?: string;
  };
}

/** Where manual-review conflicts are kept. */
export interface ConflictStore {
  /**
   * Stores a conflict once: the id derives from the record key and the event id, so re-deciding the
   * same change (a redelivery, a re-import) does not open a second conflict.
   * @returns the conflict id and whether it was new.
   */
  saveConflict(draft: ConflictDraft, now: number): Promise<{ conflictId: string; created: boolean }>;
}
