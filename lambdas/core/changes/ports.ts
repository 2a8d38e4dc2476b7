/**
 * The change interpreter as its callers see it (applying changes, plan sessions) and what it needs
 * (stores, rules, timing). See interpreter.ts.
 */
import type { NegativeStockPolicy } from "../business-rules.ts";
import type { Change } from "../change.ts";
import type { DecisionPolicy, decide } from "../conflict-rules.ts";
import type { EntityType } from "../model.ts";
import type { ConflictStore, RecordStore } from "../ports.ts";
import type { SyncRecord } from "../record.ts";
import type { LiveHooks } from "./effects.ts";
import type { PlannedEntry } from "./planned.ts";
import type { PlatformResources } from "./platform-resources.ts";
import type { ChangeResult } from "./results.ts";

/** Per-vendor, per-entity-type rules the interpreter applies. */
export interface WritePolicy extends DecisionPolicy {
  readonly negativeStock: NegativeStockPolicy;
}

/** Applies changes and reports one result per change, in input order: what every entry depends on. */
export interface ChangeApplier {
  /**
   * Applies up to 100 changes (one BatchGetItem). Changes to one record are applied in the order
   * given; different records in parallel. Never throws for a single change: each gets a result.
   *
   * @throws only when the batch read itself fails (the whole batch can then be retried safely).
   */
  writeBatch(changes: readonly Change[]): Promise<ChangeResult[]>;
}

/** A plan session: decides batches of changes, read-only, building on its own earlier decisions. */
export interface PlanSession {
  /** @returns one result per change and, aligned with them, the planned entry of each pending one. */
  decide(changes: readonly Change[]): Promise<{ results: ChangeResult[]; planned: (PlannedEntry | undefined)[] }>;
  /** Records the caller already read (so they are not read again). */
  seed(records: Iterable<SyncRecord>): void;
}

export interface ChangeInterpreterDeps extends LiveHooks {
  readonly records: RecordStore;
  /** Where reviews are stored. Needed by live mode only (plans and dry runs store nothing). */
  readonly conflicts?: ConflictStore;
  /** Resolves the rules for a vendor and entity type (from the vendor configuration). */
  readonly policyFor: (vendorId: string, entityType: EntityType) => WritePolicy;
  /** Deletions remembered against platform resources; without it, `Change.resource` is ignored. */
  readonly resources?: PlatformResources;
  /**
   * The conflict rules (tests run the convergence properties against deliberately broken ones, and
   * expect them to fail). @default decide
   */
  readonly rules?: typeof decide;
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
  /** Records written in parallel within one batch. @default 16 (`DEFAULT_WRITE_CONCURRENCY`, interpreter.ts) */
  readonly writeConcurrency?: number;
}
