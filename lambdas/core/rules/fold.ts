/**
 * The conflict rules folded over a record's remembered changes in source-time order. Rules that look
 * back — manual review (a vendor change over a local edit waits for an admin) and the price-change
 * guard (judged against the price the record had at the change's time) — make a record's state depend
 * on the order its changes are applied in. So such records remember their newest changes
 * ({@link HISTORY_ENTRIES} at most), and every change is decided by folding {@link decideStep} over
 * them with the change in its place: a late change is judged as if it had arrived on time, and the
 * changes after it are judged again (a late older price can take back a newer one the guard would not
 * have let through, reopening review for it). A change held for review is superseded, and its
 * conflict closed, once a newer change is applied. Changes older than the remembered history are stale.
 *
 * @see ../../../docs/conflict-rules.md
 */
import type { Change } from "../change.ts";
import { conflictIdOf } from "../changes/results.ts";
import { contentHash } from "../content-hash.ts";
import {
  type HistoryBase,
  type HistoryEntry,
  type OpenReview,
  type RecordHistory,
  recordContentHash,
  recordStamp,
  type Stamp,
  type SyncRecord,
} from "../record.ts";
import type { ConflictDraft, Decision, DecisionPolicy } from "./decision.ts";
import { changeStamp, compareStamps } from "./stamps.ts";
import { decideStep } from "./step.ts";

/** Changes a record remembers at most. */
export const HISTORY_ENTRIES = 8;
/** Bytes of remembered attributes a record keeps at most (older entries are dropped first). */
export const HISTORY_BYTES = 16 * 1024;

/** @returns whether a change's record is decided by folding over its history. */
export function foldsHistory(change: Change, policy: DecisionPolicy): boolean {
  if (change.delta !== undefined) return false;
  if (policy.strategy === "manual-review") return true;
  return change.entityType === "price" && policy.priceGuard !== undefined && policy.priceGuard.action !== "off";
}

/** One change's step in the fold. */
interface Step {
  readonly entry: HistoryEntry;
  readonly decision: Decision;
  /** The record after the step. */
  readonly after: SyncRecord | undefined;
}

const entryOf = (change: Change): HistoryEntry => ({
  op: change.op,
  eventId: change.eventId,
  sourceTs: change.sourceTs,
  ...(change.sourceVersion === undefined ? {} : { sourceVersion: change.sourceVersion }),
  source: change.source,
  jobId: change.jobId,
  attributes: change.attributes,
  held: false,
});

const stampOfEntry = (entry: HistoryEntry): Stamp => ({
  sourceTs: entry.sourceTs,
  ...(entry.sourceVersion === undefined ? {} : { sourceVersion: entry.sourceVersion }),
  source: entry.source,
  eventId: entry.eventId,
});

/** The change an entry remembers (its version conflict, judged on arrival, is not judged again). */
function changeOf(entry: HistoryEntry, like: Change): Change {
  return {
    vendorId: like.vendorId,
    entityType: like.entityType,
    entityKey: like.entityKey,
    op: entry.op,
    eventId: entry.eventId,
    sourceTs: entry.sourceTs,
    ...(entry.sourceVersion === undefined ? {} : { sourceVersion: entry.sourceVersion }),
    source: entry.source,
    workflow: like.workflow,
    jobId: entry.jobId,
    attributes: entry.attributes,
    contentHash: contentHash({ op: entry.op, attributes: entry.attributes }),
  };
}

function baseOf(record: SyncRecord): HistoryBase {
  const { attributes, deleted, deletedAt, sourceTs, sourceVersion, source, lastEventId, fieldStamps, deleteStamp } =
    record;
  return {
    attributes,
    deleted,
    sourceTs,
    source,
    lastEventId,
    ...(deletedAt === undefined ? {} : { deletedAt }),
    ...(sourceVersion === undefined ? {} : { sourceVersion }),
    ...(fieldStamps === undefined ? {} : { fieldStamps }),
    ...(deleteStamp === undefined ? {} : { deleteStamp }),
  };
}

/** The record a history's base stands for (its version is the fold's own count). */
function recordOfBase(base: HistoryBase, like: SyncRecord | Change, now: number): SyncRecord {
  return {
    vendorId: like.vendorId,
    entityType: like.entityType,
    entityKey: like.entityKey,
    version: 1,
    lastJobId: "",
    contentHash: recordContentHash(base.attributes, base.deleted),
    createdAt: now,
    updatedAt: now,
    ...base,
  };
}

/** Folds the rules over entries in order from `start`. */
function foldSteps(
  start: SyncRecord | undefined,
  entries: readonly HistoryEntry[],
  like: Change,
  incoming: { readonly change: Change; readonly versionConflict: boolean },
  policy: DecisionPolicy,
  now: number,
): Step[] {
  const steps: Step[] = [];
  let state = start;
  for (const entry of entries) {
    const change =
      entry.eventId !== incoming.change.eventId
        ? changeOf(entry, like)
        : incoming.change.expectedVersion === undefined
          ? incoming.change
          : { ...incoming.change, expectedVersion: incoming.versionConflict ? -1 : (state?.version ?? 0) };
    const decision = decideStep(state, change, policy, now);
    if (decision.action === "write" || decision.action === "restamp") state = decision.record;
    steps.push({ entry: { ...entry, held: decision.action === "review" }, decision, after: state });
  }
  return steps;
}

const applied = (step: Step) => step.decision.action === "write" || step.decision.action === "restamp";

/**
 * Decides `change` by folding the rules over the record's history with the change in its place
 * (see the module comment). The decision's `persist` carries the record to write (history, open
 * reviews) and the conflicts to open and to close as superseded.
 */
export function refold(current: SyncRecord | undefined, change: Change, policy: DecisionPolicy, now: number): Decision {
  const history: RecordHistory =
    current?.history ?? (current ? { base: baseOf(current), entries: [] } : { entries: [] });
  const rank = policy.rank;
  const incoming = changeStamp(change);
  const last = history.entries.at(-1);
  if (history.entries.some((entry) => entry.eventId === change.eventId)) {
    // A redelivery: the newest change is judged as one step (unchanged or duplicate), older ones are duplicates.
    if (current && last?.eventId === change.eventId) return decideStep(current, change, policy, now);
    return { action: "skip", outcome: "duplicate", reason: `event ${change.eventId} already remembered` };
  }
  if (history.base && compareStamps(incoming, baseStamp(history.base), rank) <= 0) {
    // Older than everything remembered: unchanged or rejected as one step would say, else stale.
    const step = current ? decideStep(current, change, policy, now) : undefined;
    if (step && (step.action === "skip" || step.action === "reject")) return step;
    return {
      action: "skip",
      outcome: "stale",
      reason: "older than the changes this record remembers",
      conflictType: "timestamp",
    };
  }
  const entries = [...history.entries, entryOf(change)].sort((a, b) =>
    compareStamps(stampOfEntry(a), stampOfEntry(b), rank),
  );
  const start = history.base ? recordOfBase(history.base, change, now) : undefined;
  // A version conflict is judged on arrival, against the stored version, not the fold's own count.
  const versionConflict = change.expectedVersion !== undefined && change.expectedVersion !== current?.version;
  const steps = foldSteps(start, entries, change, { change, versionConflict }, policy, now);
  return settle(current, change, history.base, steps, policy, now);
}

function baseStamp(base: HistoryBase): Stamp {
  return recordStamp({ ...base, lastEventId: base.lastEventId } as SyncRecord);
}

/** Turns the fold into the change's decision and its side effects. */
function settle(
  current: SyncRecord | undefined,
  change: Change,
  base: HistoryBase | undefined,
  steps: readonly Step[],
  policy: DecisionPolicy,
  now: number,
): Decision {
  const rank = policy.rank;
  const final = steps.at(-1)?.after;
  const mine = steps.find((step) => step.entry.eventId === change.eventId) as Step;
  if (!final) return mine.decision; // nothing applied: no record yet (a rejected or held first change)
  const newestApplied = [...steps].reverse().find(applied);
  const superseded = (stamp: Stamp) =>
    newestApplied !== undefined && compareStamps(stampOfEntry(newestApplied.entry), stamp, rank) > 0;
  const heldOpen = steps.filter((step) => step.decision.action === "review" && !superseded(stampOfEntry(step.entry)));
  const forgotten = (current?.reviews ?? []).filter(
    (review) => !steps.some((step) => step.entry.eventId === review.eventId) && !superseded(review),
  );
  const contentChanged = !current || final.contentHash !== current.contentHash;
  const version = (current?.version ?? 0) + (contentChanged ? 1 : 0);
  const reviews: OpenReview[] = [
    ...forgotten,
    ...heldOpen.map((step) => ({ ...stampOfEntry(step.entry), conflictId: conflictIdFor(change, step.entry.eventId) })),
  ];
  const record = recordAfter(current, change, final, version, trimmed(steps, base), reviews, now);
  const before = new Set((current?.reviews ?? []).map((review) => review.conflictId));
  const after = new Set(reviews.map((review) => review.conflictId));
  const opens: ConflictDraft[] = heldOpen
    .filter((step) => !before.has(conflictIdFor(change, step.entry.eventId)) && step !== mine)
    .map((step) => draftAgainst(step, record));
  const supersedes = [...before].filter((id) => !after.has(id));
  const unchanged = current !== undefined && sameRecord(current, record);
  const persist = unchanged ? undefined : { record, opens, supersedes };
  return outcome(current, change, mine, final, record, contentChanged, heldOpen.includes(mine), persist);
}

/** The conflict id of a remembered change of this record (one per record and event). */
function conflictIdFor(like: Change, eventId: string): string {
  return conflictIdOf({ ...like, eventId });
}

/** A held change's conflict, raised against the record as it is written now. */
function draftAgainst(step: Step, record: SyncRecord): ConflictDraft {
  const conflict = (step.decision as Extract<Decision, { action: "review" }>).conflict;
  return { ...conflict, recordVersion: record.version, current: record };
}

function recordAfter(
  current: SyncRecord | undefined,
  change: Change,
  final: SyncRecord,
  version: number,
  history: RecordHistory,
  reviews: readonly OpenReview[],
  now: number,
): SyncRecord {
  const { history: _h, reviews: _r, ...state } = final;
  return {
    ...state,
    version,
    ...(current?.revision === undefined ? {} : { revision: current.revision }),
    lastJobId: change.jobId,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    history,
    ...(reviews.length > 0 ? { reviews } : {}),
  };
}

/** Keeps the newest applied and held entries within the bounds; the state before them becomes the base. */
function trimmed(steps: readonly Step[], start: HistoryBase | undefined): RecordHistory {
  const kept = steps.filter((step) => applied(step) || step.decision.action === "review");
  let first = Math.max(0, kept.length - HISTORY_ENTRIES);
  const bytes = (from: number) =>
    kept.slice(from).reduce((sum, step) => sum + JSON.stringify(step.entry.attributes).length, 0);
  while (first < kept.length - 1 && bytes(first) > HISTORY_BYTES) first++;
  const entries = kept.slice(first).map((step) => step.entry);
  // The base is the state after the last step dropped (or, when none is, where the fold started).
  const after = first > 0 ? kept[first - 1]?.after : undefined;
  const base = after ? baseOf(after) : start;
  return { ...(base ? { base } : {}), entries };
}

const sameRecord = (a: SyncRecord, b: SyncRecord) => {
  const strip = ({ updatedAt: _u, lastJobId: _j, revision: _v, ...rest }: SyncRecord) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
};

/** The change's own outcome: what the fold made of it, reported against the record as it was. */
function outcome(
  current: SyncRecord | undefined,
  change: Change,
  mine: Step,
  final: SyncRecord,
  record: SyncRecord,
  contentChanged: boolean,
  heldOpen: boolean,
  persist: Decision["persist"],
): Decision {
  const effects = persist ? { persist } : {};
  if (mine.decision.action === "review") {
    if (heldOpen) return { ...mine.decision, conflict: draftAgainst(mine, record), ...effects };
    return {
      action: "skip",
      outcome: "stale",
      reason: "held for review, but a newer change was applied: superseded",
      conflictType: "data",
      ...effects,
    };
  }
  if (mine.decision.action !== "write" && mine.decision.action !== "restamp") return { ...mine.decision, ...effects };
  if (contentChanged) {
    const conflictType = mine.decision.action === "write" ? mine.decision.conflictType : undefined;
    return {
      action: "write",
      outcome: current ? "updated" : "created",
      record,
      ...(conflictType ? { conflictType } : {}),
      ...effects,
    };
  }
  if (final.lastEventId === change.eventId) {
    return {
      action: "restamp",
      outcome: "unchanged",
      record,
      reason: "content equals the stored record; its newer time is kept",
      ...effects,
    };
  }
  return {
    action: "skip",
    outcome: "stale",
    reason: "older than the stored record; remembered in its history",
    conflictType: "timestamp",
    ...effects,
  };
}
