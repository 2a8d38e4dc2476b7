import { type Change, toChange } from "../change.ts";
import { intake } from "../changes/context.ts";
import { ChangeInterpreter } from "../changes/interpreter.ts";
import type { PlannedEntry } from "../changes/planned.ts";
import type { PlanSession, WritePolicy } from "../changes/ports.ts";
import { type ChangeResult, rejectEntryOf } from "../changes/results.ts";
import { type EntityType, type RecordKey, recordId } from "../model.ts";
import { countOutcome, emptyCounts, type OutcomeCounts } from "../outcomes.ts";
import type { RecordStore } from "../ports.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { LazyJsonLines } from "./json-lines.ts";
import { jobKeys, planBatchId, tombstonePartId } from "./layout.ts";
import {
  type DiffEntry,
  type ManifestItem,
  type PlanBatchSummary,
  type PreparedLine,
  TOMBSTONES_PER_PART,
  type TombstoneStats,
} from "./model.ts";
import type { ObjectStore, RecordKeyLister } from "./ports.ts";
import { batchChangeContext } from "./prepare.ts";

export interface PlanDeps {
  /** Read-only: planning never writes a record or a conflict. */
  readonly records: Pick<RecordStore, "getMany">;
  readonly store: ObjectStore;
  readonly policyFor: (vendorId: string, entityType: EntityType) => WritePolicy;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
  /** Receives the result of every change settled here (the sandbox's demo shows them). */
  readonly observe?: (results: readonly ChangeResult[]) => void;
}

export interface PlanBatchRequest {
  readonly vendor: VendorConfig;
  readonly jobId: string;
  readonly asOf: number;
  readonly dryRun: boolean;
  /** One batch of the normalised file (the plan Map's `Items`). */
  readonly items: readonly PreparedLine[];
}

/** Collects one batch's planned entries, settled outcomes, rejects and diff lines, then stores them. */
class BatchPlan {
  readonly counts = emptyCounts();
  readonly pending = emptyCounts();
  readonly entityTypes = new Set<EntityType>();
  readonly settledResults: ChangeResult[] = [];
  newestSettledSourceTs: number | undefined;
  readonly #rejects: LazyJsonLines;
  readonly #diff: LazyJsonLines | undefined;
  readonly #store: ObjectStore;
  readonly #partKey: (n: number) => { key: string; partId: string };
  readonly #partSize: number;
  readonly parts: ManifestItem[] = [];
  #part: { writer: ReturnType<ObjectStore["openWriter"]>; key: string; partId: string; entries: number } | undefined;

  constructor(
    store: ObjectStore,
    options: {
      rejectsKey: string;
      diffKey: string | undefined;
      partKey: (n: number) => { key: string; partId: string };
      partSize: number;
    },
  ) {
    this.#store = store;
    this.#rejects = new LazyJsonLines(store, options.rejectsKey);
    this.#diff = options.diffKey ? new LazyJsonLines(store, options.diffKey) : undefined;
    this.#partKey = options.partKey;
    this.#partSize = options.partSize;
  }

  async plan(entry: PlannedEntry, diff: DiffEntry): Promise<void> {
    countOutcome(this.counts, entry.outcome);
    countOutcome(this.pending, entry.outcome);
    this.entityTypes.add(entry.change.entityType);
    if (!this.#part || this.#part.entries >= this.#partSize) {
      await this.#closePart();
      const { key, partId } = this.#partKey(this.parts.length);
      this.#part = { writer: this.#store.openWriter(key), key, partId, entries: 0 };
    }
    this.#part.entries++;
    await this.#part.writer.write(`${JSON.stringify(entry)}\n`);
    await this.#diff?.add(diff);
  }

  async settle(result: ChangeResult, diff: DiffEntry | undefined): Promise<void> {
    countOutcome(this.counts, result.outcome);
    if (result.entityType) this.entityTypes.add(result.entityType);
    this.settledResults.push(result);
    if (result.outcome === "unchanged" && result.sourceTs !== undefined) {
      if (this.newestSettledSourceTs === undefined || result.sourceTs > this.newestSettledSourceTs) {
        this.newestSettledSourceTs = result.sourceTs;
      }
    }
    const reject = rejectEntryOf(result);
    if (reject) await this.#rejects.add(reject);
    if (diff) await this.#diff?.add(diff);
  }

  async #closePart(): Promise<void> {
    if (!this.#part) return;
    await this.#part.writer.close();
    this.parts.push({ key: this.#part.key, partId: this.#part.partId, entries: this.#part.entries });
    this.#part = undefined;
  }

  async finish(): Promise<void> {
    await this.#closePart();
    await this.#rejects.close();
    await this.#diff?.close();
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.#part?.writer.abort(), this.#rejects.abort(), this.#diff?.abort()]);
  }
}

/** The dry-run diff line of a change's result. */
function diffLine(change: Change, result: ChangeResult): DiffEntry {
  return {
    ...(change.line === undefined ? {} : { line: change.line }),
    entityType: change.entityType,
    entityKey: change.entityKey,
    outcome: result.outcome,
    op: change.op,
    ...(result.outcome === "created" || result.outcome === "updated" || result.outcome === "unchanged"
      ? change.op === "delete" && result.outcome !== "unchanged"
        ? { reason: "tombstone" }
        : {}
      : result.reason
        ? { reason: result.reason }
        : {}),
    ...(result.fields && result.outcome !== "unchanged" ? { fields: result.fields } : {}),
  };
}

/**
 * Decides a sequence of changes against the current records with the interpreter's plan mode
 * (read-only) and records the outcome of each in `plan`. Changes to one record are decided in order,
 * each against what the one before it would leave, so their expected versions chain (v, v + 1, …) as
 * the writes will.
 */
async function decideAll(changes: readonly Change[], session: PlanSession, plan: BatchPlan): Promise<void> {
  const { results, planned } = await session.decide(changes);
  for (const [index, change] of changes.entries()) {
    const result = results[index] as ChangeResult;
    const entry = planned[index];
    if (entry) await plan.plan(entry, diffLine(change, result));
    else
      await plan.settle(
        result,
        result.outcome === "unchanged" || result.outcome === "duplicate" ? undefined : diffLine(change, result),
      );
  }
}

/** A read-only interpreter for planning (no conflict store: plans store nothing). */
function planner(deps: PlanDeps): PlanSession {
  return ChangeInterpreter.readOnly({ records: deps.records, policyFor: deps.policyFor, now: deps.now }).plan();
}

async function summarise(
  plan: BatchPlan,
  store: ObjectStore,
  key: string,
  summary: Omit<PlanBatchSummary, "counts" | "pending" | "parts" | "entityTypes" | "newestSettledSourceTs">,
  deps: PlanDeps,
): Promise<PlanBatchSummary> {
  await plan.finish();
  const result: PlanBatchSummary = {
    ...summary,
    counts: plan.counts,
    pending: plan.pending,
    parts: plan.parts,
    entityTypes: [...plan.entityTypes].sort(),
    ...(plan.newestSettledSourceTs === undefined ? {} : { newestSettledSourceTs: plan.newestSettledSourceTs }),
  };
  // Written last: its presence means the batch's parts, rejects and diff are complete.
  await store.writeText(key, JSON.stringify(result));
  deps.observe?.(plan.settledResults);
  return result;
}

/**
 * The plan Map's child: decides every change of one batch against the current records
 * (BatchGetItem, at most 100 keys per call, unprocessed keys retried) with the shared conflict
 * rules, and stores, under the batch id:
 *
 * - the change-set part: every planned write (with the record and expected version) and review;
 * - the rejects of changes refused by a business rule;
 * - for a dry run, the diff lines;
 * - the batch summary (counts), written last.
 *
 * Nothing is written to the tables. Running the same batch again rewrites the same objects.
 *
 * @throws when a read fails after the store's retries (the Map retries the child).
 */
export async function planBatch(request: PlanBatchRequest, deps: PlanDeps): Promise<PlanBatchSummary> {
  const { vendor, jobId } = request;
  if (request.items.length === 0) throw new RangeError("a plan batch needs at least one item");
  const firstSeq = Math.min(...request.items.map((item) => item.seq));
  const batchId = planBatchId(firstSeq);
  const keys = jobKeys(vendor.id, jobId);
  const plan = new BatchPlan(deps.store, {
    rejectsKey: keys.planRejects(batchId),
    diffKey: request.dryRun ? keys.diffPart(batchId) : undefined,
    partKey: (n) => ({
      key: keys.changeSetPart(n === 0 ? batchId : `${batchId}-${n}`),
      partId: n === 0 ? batchId : `${batchId}-${n}`,
    }),
    partSize: Number.POSITIVE_INFINITY,
  });
  try {
    const context = batchChangeContext(vendor, jobId, request.asOf);
    const inputs = [...request.items].sort((a, b) => a.seq - b.seq).map(({ seq: _seq, ...input }) => input);
    const changes: Change[] = [];
    for (const item of intake(inputs, context)) {
      // prepare validated every line with the same context; a refusal here means a hand-edited file.
      if ("refused" in item) await plan.settle(item.refused, undefined);
      else changes.push(item.change);
    }
    await decideAll(changes, planner(deps), plan);
    return await summarise(plan, deps.store, keys.planResult(batchId), { batchId, kind: "changes" }, deps);
  } catch (error) {
    await plan.abort();
    throw error;
  }
}

export interface PlanTombstonesRequest {
  readonly vendor: VendorConfig;
  readonly jobId: string;
  readonly asOf: number;
  readonly dryRun: boolean;
  readonly shard: number;
  /** Entity types the snapshot covers (those in the file); records of other types are left alone. */
  readonly entityTypes: readonly EntityType[];
}

/**
 * Full snapshots: finds the records of one write shard that the file no longer has — stored, of an
 * entity type the file covers, not a tombstone yet, and last written before the file's as-of time —
 * and plans a delete for each (decided by the conflict rules like any change, so a higher-ranked
 * source's record or a local edit under manual review is not silently deleted). Records written
 * after the as-of time are kept. The shard's file keys are held in memory (1/16 of the file's keys).
 */
export async function planTombstones(
  request: PlanTombstonesRequest,
  deps: PlanDeps & { readonly keys: RecordKeyLister },
): Promise<PlanBatchSummary> {
  const { vendor, jobId, shard } = request;
  const keys = jobKeys(vendor.id, jobId);
  const batchId = `t${String(shard).padStart(2, "0")}`;
  const inFile = new Set<string>();
  for await (const line of deps.store.readLines(keys.keyShard(shard))) if (line !== "") inFile.add(line);
  const plan = new BatchPlan(deps.store, {
    rejectsKey: keys.planRejects(batchId),
    diffKey: request.dryRun ? keys.diffPart(batchId) : undefined,
    partKey: (n) => {
      const partId = tombstonePartId(shard, n);
      return { key: keys.changeSetPart(partId), partId };
    },
    partSize: TOMBSTONES_PER_PART,
  });
  const context = batchChangeContext(vendor, jobId, request.asOf);
  const session = planner(deps);
  let stored = 0;
  let alreadyDeleted = 0;
  let keptNewer = 0;
  let candidates: RecordKey[] = [];
  const flush = async () => {
    if (candidates.length === 0) return;
    const found = await deps.records.getMany(candidates);
    candidates = [];
    const deletes: Change[] = [];
    for (const record of [...found.values()].sort((a, b) => (recordId(a) < recordId(b) ? -1 : 1))) {
      if (record.deleted) alreadyDeleted++;
      else if (record.sourceTs >= request.asOf) keptNewer++;
      else {
        deletes.push(
          toChange(
            { entityType: record.entityType, entityKey: record.entityKey, op: "delete", sourceTs: request.asOf },
            context,
          ),
        );
      }
    }
    session.seed(found.values());
    await decideAll(deletes, session, plan);
  };
  try {
    for await (const key of deps.keys.listKeys(vendor.id, shard, request.entityTypes)) {
      stored++;
      if (inFile.has(`${key.entityType}\t${key.entityKey}`)) continue;
      candidates.push(key);
      if (candidates.length >= 100) await flush();
    }
    await flush();
    const tombstones: TombstoneStats = {
      stored,
      alreadyDeleted,
      keptNewer,
      planned: plan.pending.created + plan.pending.updated,
    };
    return await summarise(
      plan,
      deps.store,
      keys.planResult(batchId),
      { batchId, kind: "tombstones", tombstones },
      deps,
    );
  } catch (error) {
    await plan.abort();
    throw error;
  }
}

/** @returns the sum of count sets. */
export function sumCounts(sets: Iterable<OutcomeCounts>): OutcomeCounts {
  const total = emptyCounts();
  for (const counts of sets) {
    for (const [name, value] of Object.entries(counts) as [keyof OutcomeCounts, number][]) total[name] += value;
  }
  return total;
}
