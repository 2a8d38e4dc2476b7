import type { Change } from "./change.ts";
import type { ConflictDraft } from "./conflict-rules.ts";
import type { EntityType, RecordKey } from "./model.ts";
import type { Precondition, SyncRecord } from "./record.ts";

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
   * Writes a record if the stored one is still the one the decision was made on: same `revision`
   * (or, for a record without one, same `version` and still no `revision`); when `expected` is
   * `undefined`, only if none exists.
   * @returns `"written"`, or `"condition-failed"` when someone else wrote first.
   * @throws {ItemTooLargeError} when the item would exceed DynamoDB's 400 KB limit.
   * @throws {TransientError} on throttling or timeouts.
   */
  put(record: SyncRecord, expected: Precondition | undefined): Promise<"written" | "condition-failed">;
}

/** A stored manual-review conflict. */
export interface ConflictItem {
  readonly conflictId: string;
  readonly vendorId: string;
  readonly entityType: EntityType;
  readonly entityKey: string;
  /** OPEN → (RESOLVING →) RESOLVED by an admin, or SUPERSEDED when a newer change was applied first. */
  readonly status: "OPEN" | "RESOLVED" | "SUPERSEDED";
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
  /** Set when a newer applied change closed the conflict. */
  readonly supersededBy?: {
    readonly eventId: string;
    /** The newer change's time, epoch ms. */
    readonly sourceTs: number;
    /** When it was closed, epoch ms. */
    readonly at: number;
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
  /**
   * Closes an OPEN conflict as SUPERSEDED by a newer applied change (a conflict being resolved, or
   * already closed, is left as it is). A superseded conflict is opened again by {@link saveConflict}
   * when a late change takes the newer one back.
   * @returns whether this call closed it.
   */
  supersedeConflict(
    conflictId: string,
    by: { readonly vendorId: string; readonly eventId: string; readonly sourceTs: number },
    now: number,
  ): Promise<boolean>;
}

/** Objects by key (S3 on AWS, a folder in the sandbox): one port for every workflow. */
export type { ObjectStore, ObjectWriter } from "./batch/ports.ts";

/** Webhook signing secrets: the current one first, then the previous one during a rotation. */
export interface SecretSource {
  /**
   * @param secretName - the vendor's `channels.webhook.secretName`.
   * @returns the accepted secrets, current first (empty when none is set).
   */
  secrets(secretName: string): Promise<string[]>;
}

/** The state of one event in the de-duplication store, as a claim finds it. */
export type DedupClaim =
  /** This caller owns the event now and must queue it, then complete or release it with `token`. */
  | { readonly state: "acquired"; readonly token: string }
  /** The event was queued before (and is within its retention). */
  | { readonly state: "completed" }
  /** Another attempt holds an unexpired lease on it: it may still be queueing the event. */
  | { readonly state: "in-progress"; readonly leaseUntil: number };

/**
 * De-duplication of deliveries by vendor and event id, with in-progress and completed states: a
 * failed enqueue releases the claim (the vendor's retry is accepted), a crashed attempt's lease
 * expires and the next retry takes the claim over, and a completed event is refused until its
 * retention ends. `complete` and `release` act only on the caller's own claim (its token), so an
 * attempt that outlived its lease cannot undo the claim of the attempt that took it over.
 */
export interface DedupStore {
  /**
   * Claims an event for queueing.
   * @param now - epoch ms.
   * @param leaseMs - how long an in-progress claim blocks others: longer than the claiming
   * function can run, so a live attempt is never taken over.
   */
  claim(vendorId: string, eventId: string, now: number, leaseMs: number): Promise<DedupClaim>;
  /**
   * Marks a claimed event queued; it is refused as a duplicate for `retentionMs`.
   * @returns false when the claim is no longer the caller's (taken over after its lease ran out).
   */
  complete(vendorId: string, eventId: string, token: string, now: number, retentionMs: number): Promise<boolean>;
  /** Gives the caller's claim back after a failure, so a retry can claim it at once. */
  release(vendorId: string, eventId: string, token: string): Promise<void>;
}

/** A message to put on a queue. */
export interface OutgoingMessage {
  /** JSON text, at most 256 KiB. */
  readonly body: string;
  /** String message attributes (vendorId, kind) for filtering and inspection. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Seconds before the message becomes visible. @default 0 */
  readonly delaySeconds?: number;
}

/** Sends messages to one queue. */
export interface QueueSender {
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
}

/** What a consumer can do with a message it received (SQS ChangeMessageVisibility; moving to the DLQ). */
export interface MessageControl {
  /** Hides the message for `seconds` more (backoff before the next attempt). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<void>;
  /**
   * Moves a message to the dead-letter queue explicitly (the consumer gave up after the vendor's
   * `maxRetries`), with the reason, then deletes it from the source queue.
   */
  deadLetter(
    message: { receiptHandle: string; body: string; attributes: Readonly<Record<string, string>> },
    reason: string,
  ): Promise<void>;
}

/** Structured logging as the handlers use it (Powertools Logger on AWS, stderr in the sandbox). */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** A log that discards everything (tests, quiet CLI runs). */
export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
