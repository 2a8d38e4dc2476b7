/**
 * The change interpreter: the one place a change meets the stored record and becomes a counted
 * outcome. Every entry (webhook processor, pull worker, file imports, apply-changes, batch plan and
 * apply, conflict resolution, webhook replay) goes through it, in one of three modes:
 *
 * - **live** — conditional single-item writes; a lost race re-reads (strongly consistent) and decides
 *   again with bounded, fully jittered exponential backoff; reviews stored as conflicts;
 * - **dry run** — the same decisions over an overlay of the records: nothing is written, no conflict
 *   stored, and changes to one record see each other's (unwritten) effect for the whole session;
 * - **plan** — a dry run that also hands every planned write and review to a sink, which batch apply
 *   later {@link ChangeInterpreter.replay replays} through live.
 *
 * @see ../../../docs/conflict-rules.md
 */
import pLimit from "p-limit";
import { applyIncomingRules, type NegativeStockPolicy } from "../business-rules.ts";
import type { Change, PlatformResource } from "../change.ts";
import { type ConflictDraft, type Decision, type DecisionPolicy, decide } from "../conflict-rules.ts";
import { SystemError } from "../errors.ts";
import { decideDelta } from "../inventory-delta.ts";
import { type ConflictType, type EntityType, type RecordKey, recordId, type Workflow } from "../model.ts";
import type { ConflictStore, RecordStore } from "../ports.ts";
import { type Precondition, preconditionOf, type Stamp, type SyncRecord } from "../record.ts";
import { type VendorConfig, writePolicyFor } from "../vendor-config.ts";
import { diffAttributes } from "./diff.ts";
import { applyDeletions, deletionOf, type PlatformResources, resourcesOf } from "./platform-resources.ts";
import { type ChangeResult, decisionResult, errorResult, type ResultBase, resultBase } from "./results.ts";

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

/** One planned change of a batch plan: what apply writes (or holds for review) later. */
export type PlannedEntry =
  | {
      readonly action: "write";
      /** `unchanged`: a newer time kept for equal content (no new version). */
      readonly outcome: "created" | "updated" | "unchanged";
      readonly change: Change;
      /** The record as planned (its times are set again when written). */
      readonly record: SyncRecord;
      /** What the stored record must still be (see `Precondition`); absent: it must not exist. */
      readonly expected?: Precondition;
      /** A conflict the strategy resolved in this change's favour. */
      readonly conflictType?: ConflictType;
    }
  | { readonly action: "review"; readonly outcome: "conflicted"; readonly change: Change };

export interface ChangeInterpreterDeps {
  readonly records: RecordStore;
  /** Where reviews are stored. Needed by live mode only (plans and dry runs store nothing). */
  readonly conflicts?: ConflictStore;
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
  /** Deletions remembered against platform resources; without it, `Change.resource` is ignored. */
  readonly resources?: PlatformResources;
  /**
   * Called when a change opens a new manual-review conflict (not when a redelivery finds it open):
   * admins are notified once per conflict.
   */
  readonly onConflictOpened?: (conflict: { conflictId: string; draft: ConflictDraft }) => void | Promise<void>;
}

/** What a mode does with a decision. */
interface Effects {
  /** Reads the records a batch needs. */
  read(keys: readonly RecordKey[]): Promise<Map<string, SyncRecord>>;
  /** Acts on a write: `lost` when another writer got there first (live only); plans return the entry. */
  write(write: Write, change: Change): Promise<{ readonly written: boolean; readonly planned?: PlannedEntry }>;
  /** Acts on a review; plans return the entry. */
  review(conflict: ConflictDraft, change: Change): Promise<PlannedEntry | undefined>;
  /** Whether results carry the fields each change alters (dry runs and plans report them). */
  readonly describe: boolean;
  /** Whether this is live mode (writes happen). */
  readonly live: boolean;
  /**
   * Whether a newer time for equal content is written (live and dry runs). Plans settle it as
   * `unchanged` without a write: a resync of an unchanged file costs no write.
   */
  readonly restamps: boolean;
}

/** A write decision made ready: the record with its next revision, and the precondition it is written on. */
interface Write {
  readonly decision: Extract<Decision, { action: "write" | "restamp" }>;
  readonly record: SyncRecord;
  readonly expected: Precondition | undefined;
}

/** @returns the write of a decision made against `current`. */
function prepareWrite(
  decision: Extract<Decision, { action: "write" | "restamp" }>,
  current: SyncRecord | undefined,
): Write {
  return {
    decision,
    record: { ...decision.record, revision: (current?.revision ?? 0) + 1 },
    expected: preconditionOf(current),
  };
}

/** A write that was planned: replay tries it as planned first (no read), then decides again if the record moved. */
interface PlannedWrite {
  readonly write: Write;
  readonly jobId: string;
}

/** Records a dry-run session keeps in its overlay; the oldest are forgotten beyond it (bounded memory). */
export const DRY_RUN_OVERLAY_RECORDS = 10_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Decides one change: relative stock movements by their own rules, everything else by the conflict rules. */
function decideChange(current: SyncRecord | undefined, change: Change, policy: WritePolicy, now: number): Decision {
  return change.delta === undefined ? decide(current, change, policy, now) : decideDelta(current, change, policy, now);
}

/** @returns indexes of changes grouped by record, in first-seen order. */
function groupByRecord(changes: readonly Change[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  changes.forEach((change, index) => {
    const id = recordId(change);
    const group = groups.get(id);
    if (group) group.push(index);
    else groups.set(id, [index]);
  });
  return groups;
}

/** The change interpreter (see the module comment). */
export class ChangeInterpreter implements ChangeApplier {
  readonly #deps: ChangeInterpreterDeps;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #limit: ReturnType<typeof pLimit>;

  /**
   * @returns an interpreter whose rules come from the vendors' configurations
   *   (`writePolicyFor(vendor, entityType)`).
   * @throws {ValidationError} (from `vendors.get`) when a change names an unknown vendor.
   */
  static forVendors(
    vendors: { get(vendorId: string): VendorConfig },
    deps: Omit<ChangeInterpreterDeps, "policyFor">,
  ): ChangeInterpreter {
    return new ChangeInterpreter({
      ...deps,
      policyFor: (vendorId, entityType) => writePolicyFor(vendors.get(vendorId), entityType),
    });
  }

  /**
   * @returns an interpreter for plans and dry runs only, over a store it may only read (the batch
   *   plan's grant): its live mode and replays throw {@link SystemError}.
   */
  static readOnly(
    deps: Omit<ChangeInterpreterDeps, "records" | "conflicts"> & { readonly records: Pick<RecordStore, "getMany"> },
  ): ChangeInterpreter {
    const refuse = (): never => {
      throw new SystemError("this interpreter may only read records (plans and dry runs)");
    };
    return new ChangeInterpreter({
      ...deps,
      records: { getMany: (keys) => deps.records.getMany(keys), get: refuse, put: refuse },
    });
  }

  constructor(deps: ChangeInterpreterDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? defaultSleep;
    this.#random = deps.random ?? Math.random;
    this.#maxAttempts = deps.maxAttempts ?? 6;
    this.#limit = pLimit(deps.writeConcurrency ?? 16);
  }

  /** Live mode: see {@link ChangeApplier.writeBatch}. */
  writeBatch(changes: readonly Change[]): Promise<ChangeResult[]> {
    return this.#run(changes, this.#liveEffects());
  }

  /** Live mode, one change; reads the current record itself. */
  async write(change: Change): Promise<ChangeResult> {
    const [result] = await this.writeBatch([change]);
    return result as ChangeResult;
  }

  /**
   * Dry-run mode: a session whose decisions build on each other (an overlay of the records kept for
   * the session), writing nothing and storing no conflict. Results are what live mode would report,
   * with the fields each change alters.
   */
  dryRun(): ChangeApplier {
    const overlay = new Map<string, SyncRecord>();
    const fx = this.#overlayEffects(overlay, false);
    return { writeBatch: (changes) => this.#run(changes, fx) };
  }

  /**
   * Plan mode: a dry-run session that also returns, beside each result, the planned write or review
   * (`undefined` for outcomes already final: unchanged, duplicate, stale, rejected) for batch apply to
   * {@link replay} later.
   *
   * @param options.restamps - what a newer time for equal content becomes: `write`, a planned write
   *   (what live mode does), or `settle`, `unchanged` with no write, so a resync of an unchanged file
   *   costs no write. @default "settle"
   */
  plan(options: { readonly restamps?: "write" | "settle" } = {}): PlanSession {
    const overlay = new Map<string, SyncRecord>();
    const fx = { ...this.#overlayEffects(overlay, true), restamps: options.restamps === "write" };
    return {
      decide: async (changes) => {
        const planned: (PlannedEntry | undefined)[] = new Array(changes.length);
        const results = await this.#run(changes, fx, planned);
        return { results, planned };
      },
      seed: (records) => {
        for (const record of records) overlay.set(recordId(record), record);
      },
    };
  }

  /**
   * Applies planned entries through live mode. Each planned write is first tried as planned: one
   * conditional write on the version it was planned against, no read. When the record moved since
   * the plan, a change this job already wrote (a retried or redriven batch) keeps its planned
   * outcome; any other change is decided again against the record as it is now, so a newer write
   * is never overwritten by an older planned one. Once a record diverged, its later entries are
   * decided again too. Reviews are decided live.
   */
  async replay(entries: readonly PlannedEntry[], jobId: string): Promise<ChangeResult[]> {
    const groups = groupByRecord(entries.map((entry) => entry.change));
    const results: ChangeResult[] = new Array(entries.length);
    const fx = this.#liveEffects();
    await Promise.all(
      [...groups.values()].map((indexes) =>
        this.#limit(async () => {
          let current: SyncRecord | undefined;
          let diverged = false;
          let read = false;
          for (const index of indexes) {
            const entry = entries[index] as PlannedEntry;
            const planned =
              !diverged && entry.action === "write" ? { write: this.#asPlanned(entry), jobId } : undefined;
            if (!planned && !read) {
              current = await this.#deps.records.get(entry.change, { consistent: true });
              read = true;
            }
            const settled = await this.#one(entry.change, current, fx, { planned });
            results[index] = settled.result;
            current = settled.current;
            read = true;
            if (!settled.asPlanned) diverged = true;
          }
        }),
      ),
    );
    return results;
  }

  /**
   * Live mode, one attempt against a record the caller read: decides `change` against `current` and
   * writes conditionally on it, without re-reading or retrying (a conflict resolution applies only on
   * the record it was raised against).
   *
   * @returns the result, and `lost: true` when the record changed since `current` was read (nothing
   *   was written).
   */
  async applyAt(change: Change, current: SyncRecord | undefined): Promise<{ result: ChangeResult; lost: boolean }> {
    const settled = await this.#one(change, current, this.#liveEffects(), { maxAttempts: 1 });
    return { result: settled.result, lost: settled.lost === true };
  }

  #asPlanned(entry: Extract<PlannedEntry, { action: "write" }>): Write {
    const now = this.#now();
    const record = {
      ...entry.record,
      updatedAt: now,
      createdAt: entry.expected === undefined ? now : entry.record.createdAt,
    };
    const decision: Write["decision"] =
      entry.outcome === "unchanged"
        ? {
            action: "restamp",
            outcome: "unchanged",
            record,
            reason: "content equals the stored record; its newer time is kept",
          }
        : {
            action: "write",
            outcome: entry.outcome,
            record,
            ...(entry.conflictType ? { conflictType: entry.conflictType } : {}),
          };
    return { decision, record, expected: entry.expected };
  }

  async #run(input: readonly Change[], fx: Effects, planned?: (PlannedEntry | undefined)[]): Promise<ChangeResult[]> {
    // Changes older than a remembered deletion of their platform resource are that deletion.
    const deletions = await this.#deletions(input);
    const { changes, replaced } = applyDeletions(input, deletions, this.#rankOf);
    const results = await this.#decideAll(changes, fx, planned);
    if (fx.live && this.#deps.resources) await this.#afterLiveWrites(input, replaced, results);
    return results;
  }

  async #decideAll(
    changes: readonly Change[],
    fx: Effects,
    planned?: (PlannedEntry | undefined)[],
  ): Promise<ChangeResult[]> {
    const groups = groupByRecord(changes);
    const keys = [...groups.values()].map((indexes) => changes[indexes[0] as number] as Change);
    const current = keys.length > 0 ? await fx.read(keys) : new Map<string, SyncRecord>();
    const results: ChangeResult[] = new Array(changes.length);
    await Promise.all(
      [...groups.entries()].map(([id, indexes]) =>
        this.#limit(async () => {
          let record = current.get(id);
          for (const index of indexes) {
            const settled = await this.#one(changes[index] as Change, record, fx, {});
            results[index] = settled.result;
            record = settled.current;
            if (planned) planned[index] = settled.planned;
          }
        }),
      ),
    );
    return results;
  }

  /** Deletions remembered for the resources `changes` carry (none without a resource store). */
  async #deletions(changes: readonly Change[]): Promise<Map<string, Stamp>> {
    const store = this.#deps.resources;
    const found = new Map<string, Stamp>();
    if (!store) return found;
    for (const [vendorId, ofVendor] of Map.groupBy(changes, (change) => change.vendorId)) {
      const resources = resourcesOf(ofVendor);
      if (resources.length === 0) continue;
      for (const [id, deletion] of await store.deletions(vendorId, resources)) found.set(id, deletion);
    }
    return found;
  }

  /**
   * After live writes of changes carrying platform resources: remembers the records they address,
   * then looks for a deletion that arrived meanwhile (a delete processed between this batch's read
   * and its writes, which could not know these records yet) and applies it to the records written.
   * The repair is not a change of its own: the results stay as they were.
   */
  async #afterLiveWrites(input: readonly Change[], replaced: readonly boolean[], results: readonly ChangeResult[]) {
    const store = this.#deps.resources as PlatformResources;
    const carried = input.filter((change, i) => change.resource !== undefined && !replaced[i]);
    if (carried.length === 0) return;
    await store.remember(carried);
    const written = carried.filter((change) => {
      const result = results[input.indexOf(change)];
      return result !== undefined && result.outcome !== "rejected" && result.outcome !== "failed";
    });
    const late = await this.#deletions(written);
    if (late.size === 0) return;
    const repairs = applyDeletions(written, late, this.#rankOf);
    await this.#decideAll(
      repairs.changes.filter((_, i) => repairs.replaced[i]),
      this.#liveEffects(),
    );
  }

  /**
   * Deletes a platform resource (a webhook that names only the platform's id): the deletion is
   * remembered against the resource first, then every record its changes wrote so far is deleted
   * through live mode. Records written later by older changes carrying the resource are deleted too
   * (see `platform-resources.ts`).
   *
   * @param deletion - the delete's stamp (time, source, event id).
   * @throws {SystemError} without a resource store.
   */
  async deleteResource(
    vendorId: string,
    resource: PlatformResource,
    deletion: Stamp,
    origin: { readonly workflow: Workflow; readonly jobId: string },
  ): Promise<ChangeResult[]> {
    const store = this.#deps.resources;
    if (!store) throw new SystemError("deleting a platform resource needs ChangeInterpreterDeps.resources");
    const records = await store.rememberDeletion(vendorId, resource, deletion);
    return this.writeBatch(records.map((record) => deletionOf({ ...record, vendorId }, deletion, origin)));
  }

  readonly #rankOf = (vendorId: string, entityType: EntityType) => this.#deps.policyFor(vendorId, entityType).rank;

  /**
   * Settles one change against `known` (the record as last read or written).
   * @returns the result and the record as it now is (`undefined` when unknown after a failure: the
   *   next change of the record then finds out through its own conditional write).
   */
  async #one(
    input: Change,
    known: SyncRecord | undefined,
    fx: Effects,
    options: { readonly planned?: PlannedWrite | undefined; readonly maxAttempts?: number },
  ): Promise<{
    result: ChangeResult;
    current: SyncRecord | undefined;
    asPlanned?: boolean;
    planned?: PlannedEntry;
    lost?: boolean;
  }> {
    const { planned } = options;
    const maxAttempts = options.maxAttempts ?? this.#maxAttempts;
    const base = resultBase(input);
    let policy: WritePolicy;
    let change: Change;
    try {
      policy = this.#deps.policyFor(input.vendorId, input.entityType);
      change = applyIncomingRules(input, policy);
    } catch (error) {
      return { result: errorResult(base, error), current: known };
    }
    let current = known;
    for (let attempt = 1; ; attempt++) {
      try {
        const decision =
          attempt === 1 && planned ? planned.write.decision : decideChange(current, change, policy, this.#now());
        if (decision.action === "skip" || decision.action === "reject") {
          return { result: decisionResult(base, decision), current };
        }
        if (decision.action === "review") {
          const entry = await fx.review(decision.conflict, change);
          return { result: decisionResult(base, decision), current, ...(entry ? { planned: entry } : {}) };
        }
        if (decision.action === "restamp" && !fx.restamps) return { result: decisionResult(base, decision), current };
        const write = attempt === 1 && planned ? planned.write : prepareWrite(decision, current);
        const { written, planned: entry } = await fx.write(write, change);
        if (written) {
          return {
            result: decisionResult(base, decision, this.#written(fx, write, current)),
            current: write.record,
            asPlanned: attempt === 1 && planned !== undefined,
            ...(entry ? { planned: entry } : {}),
          };
        }
        if (attempt >= maxAttempts) return { result: this.#lostRaces(base, attempt), current: undefined, lost: true };
        if (attempt > 1 || !planned) await this.#sleep(this.#backoff(attempt));
        current = await this.#deps.records.get(change, { consistent: true });
        if (
          attempt === 1 &&
          planned &&
          current?.lastJobId === planned.jobId &&
          current.version >= planned.write.record.version
        ) {
          // This job got this far before (a retried or redriven part): the planned outcome stands.
          return {
            result: decisionResult(base, planned.write.decision, { version: current.version }),
            current,
            asPlanned: true,
          };
        }
      } catch (error) {
        return { result: errorResult(base, error), current: undefined };
      }
    }
  }

  /** What a write's result carries: the record (live), or the fields it alters (dry runs and plans). */
  #written(fx: Effects, write: Write, before: SyncRecord | undefined): Partial<ChangeResult> {
    if (write.decision.action === "restamp") return {};
    if (!fx.describe) return { record: write.record };
    return { fields: diffAttributes(before && !before.deleted ? before.attributes : {}, write.record.attributes) };
  }

  #lostRaces(base: ResultBase, attempts: number): ChangeResult {
    return {
      ...base,
      outcome: "failed",
      reason: `lost ${attempts} conditional-write races in a row`,
      errorKind: "transient",
      retryable: true,
    };
  }

  /** Full jitter: uniform in [0, min(cap, base × 2^attempt)). */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#deps.maxDelayMs ?? 500, (this.#deps.baseDelayMs ?? 10) * 2 ** attempt);
    return Math.floor(this.#random() * ceiling);
  }

  #liveEffects(): Effects {
    const { records, onConflictOpened } = this.#deps;
    const conflicts = this.#deps.conflicts;
    if (!conflicts) throw new SystemError("live mode needs a conflict store (ChangeInterpreterDeps.conflicts)");
    return {
      describe: false,
      live: true,
      restamps: true,
      read: (keys) => records.getMany(keys),
      write: async (write) => ({ written: (await records.put(write.record, write.expected)) === "written" }),
      review: async (draft) => {
        const { conflictId, created } = await conflicts.saveConflict(draft, this.#now());
        if (created) await onConflictOpened?.({ conflictId, draft });
        return undefined;
      },
    };
  }

  #overlayEffects(overlay: Map<string, SyncRecord>, plans: boolean): Effects {
    return {
      describe: true,
      live: false,
      restamps: true,
      read: async (keys) => {
        const missing = keys.filter((key) => !overlay.has(recordId(key)));
        const stored = missing.length > 0 ? await this.#deps.records.getMany(missing) : new Map<string, SyncRecord>();
        const out = new Map<string, SyncRecord>();
        for (const key of keys) {
          const id = recordId(key);
          const record = overlay.get(id) ?? stored.get(id);
          if (record) out.set(id, record);
        }
        return out;
      },
      write: async (write, change) => {
        const id = recordId(change);
        overlay.delete(id);
        overlay.set(id, write.record);
        if (overlay.size > DRY_RUN_OVERLAY_RECORDS) overlay.delete(overlay.keys().next().value as string);
        const { decision } = write;
        if (!plans) return { written: true };
        return {
          written: true,
          planned: {
            action: "write",
            outcome: decision.outcome,
            change,
            record: write.record,
            ...(write.expected === undefined ? {} : { expected: write.expected }),
            ...(decision.action === "write" && decision.conflictType ? { conflictType: decision.conflictType } : {}),
          },
        };
      },
      review: async (_draft, change) => (plans ? { action: "review", outcome: "conflicted", change } : undefined),
    };
  }
}
