/**
 * The change interpreter: the one place a change meets the stored record and becomes a counted
 * outcome. Every entry (webhook processor, pull worker, file imports, apply-changes, batch plan and
 * apply, conflict resolution, webhook replay) goes through it, in one of three modes:
 *
 * - **live** — conditional single-item writes; a lost race re-reads (strongly consistent) and decides
 *   again with bounded, fully jittered exponential backoff; reviews stored as conflicts;
 * - **dry run** — the same decisions over an overlay of the records: nothing is written, no conflict
 *   stored, and changes to one record see each other's (unwritten) effect for the whole session;
 * - **plan** — a dry run that also returns what batch apply later {@link ChangeInterpreter.replay
 *   replays} through live mode.
 *
 * @see ../../../docs/conflict-rules.md
 */
import pLimit from "p-limit";
import { applyIncomingRules } from "../business-rules.ts";
import type { Change } from "../change.ts";
import type { PlatformResource } from "../change-input.ts";
import { type Decision, decide } from "../conflict-rules.ts";
import { SystemError } from "../errors.ts";
import { decideDelta } from "../inventory-delta.ts";
import { type EntityType, recordId, type Workflow } from "../model.ts";
import type { RecordStore } from "../ports.ts";
import type { Stamp, SyncRecord } from "../record.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { writePolicyFor } from "../vendor-policy.ts";
import { diffAttributes } from "./diff.ts";
import { type Effects, liveEffects, overlayEffects } from "./effects.ts";
import { type PlannedEntry, plannedEntry, plannedWrite, prepareWrite, recordToWrite, type Write } from "./planned.ts";
import { applyDeletions, deletionOf, type PlatformResources, resourcesOf } from "./platform-resources.ts";
import type { ChangeApplier, ChangeInterpreterDeps, PlanSession, WritePolicy } from "./ports.ts";
import { type ChangeResult, decisionResult, errorResult, type ResultBase, resultBase } from "./results.ts";

/** Records the interpreter writes in parallel within one batch unless told otherwise. */
export const DEFAULT_WRITE_CONCURRENCY = 16;

/** What became of one change in the loop. */
interface Settled {
  readonly result: ChangeResult;
  /** The record as it now is (`undefined` when unknown after a failure: the next change finds out). */
  readonly current: SyncRecord | undefined;
  /** Replays: the planned write stood (or this job had made it before). */
  readonly asPlanned?: boolean;
  readonly planned?: PlannedEntry;
  /** Every attempt lost its race. */
  readonly lost?: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
    this.#limit = pLimit(deps.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY);
  }

  /** Live mode: see {@link ChangeApplier.writeBatch}. */
  writeBatch(changes: readonly Change[]): Promise<ChangeResult[]> {
    return this.#run(changes, this.#live());
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
    const fx = overlayEffects(this.#deps.records, new Map(), false);
    return { writeBatch: (changes) => this.#run(changes, fx) };
  }

  /**
   * Plan mode: a dry-run session that also returns, beside each result, the planned entry of each
   * change apply has to write or decide again (`undefined` for outcomes already final) for batch
   * apply to {@link replay} later.
   *
   * @param options.restamps - what a newer time for equal content becomes: `write`, a planned write
   *   (what live mode does), or `settle`, `unchanged` with no write, so a resync of an unchanged file
   *   costs no write. @default "settle"
   */
  plan(options: { readonly restamps?: "write" | "settle" } = {}): PlanSession {
    const overlay = new Map<string, SyncRecord>();
    const fx: Effects = {
      ...overlayEffects(this.#deps.records, overlay, true),
      restamps: options.restamps === "write",
    };
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
   * conditional write on the record it was planned against, no read. When the record moved since
   * the plan, a change this job already wrote (a retried or redriven part) keeps its planned
   * outcome; any other change is decided again against the record as it is now, so a newer write
   * is never overwritten by an older planned one. Once a record diverged, its later entries are
   * decided again too, as are entries planned to be decided at apply.
   */
  async replay(entries: readonly PlannedEntry[], jobId: string): Promise<ChangeResult[]> {
    const groups = groupByRecord(entries.map((entry) => entry.change));
    const results: ChangeResult[] = new Array(entries.length);
    const fx = this.#live();
    await Promise.all(
      [...groups.values()].map((indexes) =>
        this.#limit(async () => {
          let current: SyncRecord | undefined;
          let diverged = false;
          let read = false;
          for (const index of indexes) {
            const entry = entries[index] as PlannedEntry;
            const planned =
              !diverged && entry.action === "write" ? { write: plannedWrite(entry, this.#now()), jobId } : undefined;
            if (!planned && !read) current = await this.#deps.records.get(entry.change, { consistent: true });
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
    const settled = await this.#one(change, current, this.#live(), { maxAttempts: 1 });
    return { result: settled.result, lost: settled.lost === true };
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

  async #run(input: readonly Change[], fx: Effects, planned?: (PlannedEntry | undefined)[]): Promise<ChangeResult[]> {
    // Changes older than a remembered deletion of their platform resource are that deletion.
    const { changes, replaced } = applyDeletions(input, await this.#deletionsOf(input), this.#rankOf);
    const results = await this.#decideAll(changes, fx, planned);
    if (fx.live && this.#deps.resources) await this.#afterLiveWrites(input, replaced, results);
    return results;
  }

  async #decideAll(changes: readonly Change[], fx: Effects, planned?: (PlannedEntry | undefined)[]) {
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
  async #deletionsOf(changes: readonly Change[]): Promise<Map<string, Stamp>> {
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
      const outcome = results[input.indexOf(change)]?.outcome;
      return outcome !== undefined && outcome !== "rejected" && outcome !== "failed";
    });
    const repairs = applyDeletions(written, await this.#deletionsOf(written), this.#rankOf);
    const deletes = repairs.changes.filter((_, i) => repairs.replaced[i]);
    if (deletes.length > 0) await this.#decideAll(deletes, this.#live());
  }

  readonly #rankOf = (vendorId: string, entityType: EntityType) => this.#deps.policyFor(vendorId, entityType).rank;

  /** Settles one change against `known` (the record as last read or written). */
  async #one(
    input: Change,
    known: SyncRecord | undefined,
    fx: Effects,
    options: { readonly planned?: { readonly write: Write; readonly jobId: string }; readonly maxAttempts?: number },
  ): Promise<Settled> {
    const base = resultBase(input);
    let policy: WritePolicy;
    let change: Change;
    try {
      policy = this.#deps.policyFor(input.vendorId, input.entityType);
      change = applyIncomingRules(input, policy);
    } catch (error) {
      return { result: errorResult(base, error), current: known };
    }
    const { planned } = options;
    let current = known;
    for (let attempt = 1; ; attempt++) {
      const asPlanned = attempt === 1 && planned !== undefined;
      try {
        const decision = asPlanned ? planned.write.decision : this.#decide(current, change, policy);
        if (decision.action === "restamp" && !fx.restamps) return { result: decisionResult(base, decision), current };
        const target = recordToWrite(decision);
        const write = target && (asPlanned ? planned.write : prepareWrite(decision, target, current));
        if (!write || (await fx.write(write, change))) {
          await this.#effectsOf(decision, change, fx);
          return {
            result: decisionResult(base, decision, this.#written(fx, decision, write, current)),
            current: write?.record ?? current,
            asPlanned,
            ...(fx.plans ? { planned: plannedEntry(decision, write, change) } : {}),
          };
        }
        const maxAttempts = options.maxAttempts ?? this.#maxAttempts;
        if (attempt >= maxAttempts) return { result: this.#lostRaces(base, attempt), current: undefined, lost: true };
        if (!asPlanned) await this.#sleep(this.#backoff(attempt));
        current = await this.#deps.records.get(change, { consistent: true });
        if (asPlanned && current?.lastJobId === planned.jobId && current.version >= planned.write.record.version) {
          // This job got this far before (a retried or redriven part): the planned outcome stands.
          const result = decisionResult(base, planned.write.decision, { version: current.version });
          return { result, current, asPlanned: true };
        }
      } catch (error) {
        return { result: errorResult(base, error), current: undefined };
      }
    }
  }

  /** Decides one change: relative stock movements by their own rules, everything else by the conflict rules. */
  #decide(current: SyncRecord | undefined, change: Change, policy: WritePolicy): Decision {
    const now = this.#now();
    if (change.delta !== undefined) return decideDelta(current, change, policy, now);
    return (this.#deps.rules ?? decide)(current, change, policy, now);
  }

  /** Conflicts a decision opens and closes, once its record is written. */
  async #effectsOf(decision: Decision, change: Change, fx: Effects): Promise<void> {
    if (decision.action === "review") await fx.review(decision.conflict, change);
    for (const draft of decision.persist?.opens ?? []) await fx.review(draft, draft.incoming);
    for (const conflictId of decision.persist?.supersedes ?? []) await fx.supersede(conflictId, change);
  }

  /** What a content write's result carries: the record (live), or the fields it alters (dry runs and plans). */
  #written(fx: Effects, decision: Decision, write: Write | undefined, before: SyncRecord | undefined) {
    if (decision.action !== "write" || !write) return {};
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

  #live(): Effects {
    const conflicts = this.#deps.conflicts;
    if (!conflicts) throw new SystemError("live mode needs a conflict store (ChangeInterpreterDeps.conflicts)");
    return liveEffects(this.#deps.records, conflicts, this.#deps, this.#now);
  }
}
