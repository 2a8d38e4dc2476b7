import pLimit from "p-limit";
import { applyIncomingRules, type NegativeStockPolicy } from "./business-rules.ts";
import type { Change } from "./change.ts";
import { type ConflictDraft, type DecisionPolicy, decide } from "./conflict-rules.ts";
import { BusinessRuleError, type ErrorKind, errorKind, ValidationError, VendorSyncError } from "./errors.ts";
import { decideDelta } from "./inventory-delta.ts";
import { type ConflictType, type EntityType, type Outcome, type RecordKey, recordId } from "./model.ts";
import type { ConflictStore, RecordStore } from "./ports.ts";
import type { SyncRecord } from "./record.ts";

/** What became of one change, as every workflow reports it. */
export interface ChangeResult {
  readonly vendorId: string;
  readonly entityType: EntityType;
  readonly entityKey: string;
  readonly eventId: string;
  readonly outcome: Outcome;
  /** Why it was not written (stale, rejected, conflicted, failed). */
  readonly reason?: string;
  readonly field?: string;
  readonly line?: number;
  readonly conflictType?: ConflictType;
  readonly conflictId?: string;
  /** The record version after a write. */
  readonly version?: number;
  /** Error kind for `rejected`/`failed` outcomes (a metric dimension). */
  readonly errorKind?: ErrorKind;
  /** For `failed`: whether the same change may succeed on a retry. */
  readonly retryable?: boolean;
  /** The record as written (created/updated only). */
  readonly record?: SyncRecord;
}

/** Per-vendor, per-entity-type rules the write path applies. */
export interface WritePolicy extends DecisionPolicy {
  readonly negativeStock: NegativeStockPolicy;
}

export interface ChangeWriterDeps {
  readonly records: RecordStore;
  readonly conflicts: ConflictStore;
  /** Resolves the rules for a vendor and entity type (from the vendor configuration). */
  readonly policyFor: (vendorId: string, entityType: EntityType) => WritePolicy;
  /** Wall clock, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Decide-and-write attempts per change when conditional writes keep losing races. @default 6 */
  readonly maxAttempts?: number;
  /** Base of the exponential backoff between attempts, ms. @default 10 */
  readonly baseDelayMs?: number;
  /** Cap of the backoff, ms. @default 500 */
  readonly maxDelayMs?: number;
  /** Records written in parallel within one batch. @default 16 */
  readonly writeConcurrency?: number;
  /**
   * Called after each successful write with the record before and after it: the sandbox's stand-in
   * for the records table's stream (on AWS the stream consumer publishes change notifications).
   */
  readonly onWritten?: (before: SyncRecord | undefined, after: SyncRecord) => void;
  /**
   * Called when a change opens a new manual-review conflict (not when a redelivery finds it open):
   * admins are notified once per conflict.
   */
  readonly onConflictOpened?: (conflict: { conflictId: string; draft: ConflictDraft }) => void | Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one write path all four workflows share (DESIGN.md §2): read the current records, decide each
 * change with the conflict rules, write with a single-item conditional write, and on a lost race
 * re-read (strongly consistent) and decide again, with bounded, fully jittered exponential backoff.
 * Unchanged records cost no write.
 */
export class ChangeWriter {
  readonly #deps: ChangeWriterDeps;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #limit: ReturnType<typeof pLimit>;

  constructor(deps: ChangeWriterDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? defaultSleep;
    this.#random = deps.random ?? Math.random;
    this.#maxAttempts = deps.maxAttempts ?? 6;
    this.#limit = pLimit(deps.writeConcurrency ?? 16);
  }

  /**
   * Applies up to 100 changes (one BatchGetItem). Changes to the same record are applied in the order
   * given; different records in parallel. Never throws for a single change: each gets a result.
   *
   * @throws only when the batch read itself fails (the whole batch can then be retried safely).
   */
  async writeBatch(changes: readonly Change[]): Promise<ChangeResult[]> {
    const groups = new Map<string, number[]>();
    changes.forEach((change, index) => {
      const id = recordId(change);
      const group = groups.get(id);
      if (group) group.push(index);
      else groups.set(id, [index]);
    });
    const keys: RecordKey[] = [...groups.values()].map((indexes) => changes[indexes[0] as number] as Change);
    const current = keys.length > 0 ? await this.#deps.records.getMany(keys) : new Map<string, SyncRecord>();
    const results: ChangeResult[] = new Array(changes.length);
    await Promise.all(
      [...groups.entries()].map(([id, indexes]) =>
        this.#limit(async () => {
          let record = current.get(id);
          for (const index of indexes) {
            const change = changes[index] as Change;
            const result = await this.#applyOne(change, record);
            results[index] = result;
            if (result.record) record = result.record;
            else if (result.outcome === "failed") record = undefined; // unknown: re-read next time
          }
        }),
      ),
    );
    return results;
  }

  /** Applies one change; reads the current record itself. */
  async write(change: Change): Promise<ChangeResult> {
    const [result] = await this.writeBatch([change]);
    return result as ChangeResult;
  }

  async #applyOne(input: Change, known: SyncRecord | undefined): Promise<ChangeResult> {
    const base = {
      vendorId: input.vendorId,
      entityType: input.entityType,
      entityKey: input.entityKey,
      eventId: input.eventId,
      ...(input.line === undefined ? {} : { line: input.line }),
    };
    let policy: WritePolicy;
    let change: Change;
    try {
      policy = this.#deps.policyFor(input.vendorId, input.entityType);
      change = applyIncomingRules(input, policy);
    } catch (error) {
      return this.#errorResult(base, error);
    }
    let current = known;
    for (let attempt = 1; ; attempt++) {
      try {
        // Relative stock movements are arithmetic on the stored level, decided by their own rules.
        const decision =
          change.delta === undefined
            ? decide(current, change, policy, this.#now())
            : decideDelta(current, change, policy, this.#now());
        switch (decision.action) {
          case "skip":
            return {
              ...base,
              outcome: decision.outcome,
              reason: decision.reason,
              ...(decision.conflictType ? { conflictType: decision.conflictType } : {}),
            };
          case "reject":
            return {
              ...base,
              outcome: "rejected",
              reason: decision.reason,
              errorKind: decision.rule ? "business" : "validation",
              ...(decision.field ? { field: decision.field } : {}),
            };
          case "review": {
            const { conflictId, created } = await this.#deps.conflicts.saveConflict(decision.conflict, this.#now());
            if (created) await this.#deps.onConflictOpened?.({ conflictId, draft: decision.conflict });
            return {
              ...base,
              outcome: "conflicted",
              reason: decision.conflict.message,
              conflictType: decision.conflict.reason === "price-guard" ? "data" : decision.conflict.reason,
              conflictId,
            };
          }
          case "write": {
            const written = await this.#deps.records.put(decision.record, decision.expectedVersion);
            if (written === "written") {
              this.#deps.onWritten?.(current, decision.record);
              return {
                ...base,
                outcome: decision.outcome,
                version: decision.record.version,
                record: decision.record,
                ...(decision.conflictType ? { conflictType: decision.conflictType } : {}),
              };
            }
            if (attempt >= this.#maxAttempts) {
              return {
                ...base,
                outcome: "failed",
                reason: `lost ${attempt} conditional-write races in a row`,
                errorKind: "transient",
                retryable: true,
              };
            }
            await this.#sleep(this.#backoff(attempt));
            current = await this.#deps.records.get(change, { consistent: true });
            break;
          }
        }
      } catch (error) {
        return this.#errorResult(base, error);
      }
    }
  }

  /** Full jitter: uniform in [0, min(cap, base × 2^attempt)). */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#deps.maxDelayMs ?? 500, (this.#deps.baseDelayMs ?? 10) * 2 ** attempt);
    return Math.floor(this.#random() * ceiling);
  }

  #errorResult(base: Omit<ChangeResult, "outcome">, error: unknown): ChangeResult {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ValidationError || error instanceof BusinessRuleError) {
      return {
        ...base,
        outcome: "rejected",
        reason: message,
        errorKind: error.kind,
        ...(error.field ? { field: error.field } : {}),
      };
    }
    return {
      ...base,
      outcome: "failed",
      reason: message,
      errorKind: errorKind(error),
      retryable: error instanceof VendorSyncError ? error.retryable : true,
    };
  }
}
