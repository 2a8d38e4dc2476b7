/**
 * One step of the conflict rules: what one change does to the record as it stands. The rules fold
 * these steps over a record's changes in source-time order (`fold.ts`).
 *
 * @see ../../../docs/conflict-rules.md
 */
import { type Change, REQUIRED_ON_CREATE } from "../change.ts";
import { diffAttributes } from "../changes/diff.ts";
import type { Attributes, ConflictStrategy, ConflictType, Source } from "../model.ts";
import { sourceParty } from "../model.ts";
import { recordContentHash, recordStamp, type Stamp, type SyncRecord } from "../record.ts";
import type { Decision, DecisionPolicy, ReviewReason } from "./decision.ts";
import { changeStamp, compareStamps, isNewer } from "./stamps.ts";

/** Record-level overlay: absent fields left, `null` clears, a delete empties the record. */
function overlay(current: Attributes, change: Change): Attributes {
  if (change.op === "delete") return {};
  const next: Attributes = { ...current };
  for (const [field, value] of Object.entries(change.attributes)) {
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next;
}

interface Proposal {
  readonly attributes: Attributes;
  readonly deleted: boolean;
  readonly fieldStamps?: Record<string, Stamp>;
  readonly deleteStamp?: Stamp;
  /** Stamp the record takes on (the newest it reflects). */
  readonly stamp: Stamp;
  /** Merge only: whether any field or the delete stamp of the change was newer than what is stored. */
  readonly tookAnything: boolean;
}

/** Field-level last-write-wins. Every result is a max over the set of events, so any order converges. */
function mergeProposal(current: SyncRecord | undefined, change: Change, rank: (s: Source) => number): Proposal {
  const stamp = changeStamp(change);
  const fieldStamps: Record<string, Stamp> = { ...(current?.fieldStamps ?? {}) };
  const attributes: Attributes = { ...(current?.attributes ?? {}) };
  let deleteStamp = current?.deleteStamp;
  let tookAnything = false;
  if (change.op === "delete") {
    if (isNewer(stamp, deleteStamp, rank)) {
      deleteStamp = stamp;
      tookAnything = true;
      for (const [field, fieldStamp] of Object.entries(fieldStamps)) {
        if (compareStamps(fieldStamp, stamp, rank) < 0) {
          delete fieldStamps[field];
          delete attributes[field];
        }
      }
    }
  } else {
    for (const [field, value] of Object.entries(change.attributes)) {
      if (deleteStamp && compareStamps(stamp, deleteStamp, rank) < 0) break;
      if (isNewer(stamp, fieldStamps[field], rank)) {
        fieldStamps[field] = stamp;
        attributes[field] = value;
        tookAnything = true;
      }
    }
  }
  const deleted = deleteStamp !== undefined && Object.keys(fieldStamps).length === 0;
  const currentStamp = current ? recordStamp(current) : undefined;
  return {
    attributes,
    deleted,
    fieldStamps,
    ...(deleteStamp ? { deleteStamp } : {}),
    stamp: currentStamp && !isNewer(stamp, currentStamp, rank) ? currentStamp : stamp,
    tookAnything,
  };
}

function visible(attributes: Attributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== null) out[key] = value;
  return out;
}

function buildRecord(
  current: SyncRecord | undefined,
  change: Change,
  proposal: Proposal,
  strategy: ConflictStrategy,
  now: number,
): SyncRecord {
  const stamp = proposal.stamp;
  return {
    vendorId: change.vendorId,
    entityType: change.entityType,
    entityKey: change.entityKey,
    version: (current?.version ?? 0) + 1,
    sourceTs: stamp.sourceTs,
    ...(stamp.sourceVersion === undefined ? {} : { sourceVersion: stamp.sourceVersion }),
    source: stamp.source,
    lastEventId: stamp.eventId,
    lastJobId: change.jobId,
    contentHash: recordContentHash(proposal.attributes, proposal.deleted),
    attributes: strategy === "merge" ? proposal.attributes : visible(proposal.attributes),
    ...(strategy === "merge" ? { fieldStamps: proposal.fieldStamps ?? {} } : {}),
    ...(strategy === "merge" && proposal.deleteStamp ? { deleteStamp: proposal.deleteStamp } : {}),
    deleted: proposal.deleted,
    ...(proposal.deleted
      ? { deletedAt: proposal.deleteStamp?.sourceTs ?? (change.op === "delete" ? change.sourceTs : current?.deletedAt) }
      : {}),
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
  };
}

function priceGuardTrip(current: SyncRecord, next: Attributes, policy: DecisionPolicy): string | undefined {
  const guard = policy.priceGuard;
  if (!guard || guard.action === "off" || current.deleted) return undefined;
  const before = current.attributes.amount;
  const after = next.amount;
  if (typeof before !== "number" || typeof after !== "number" || before === 0 || before === after) return undefined;
  if (current.attributes.currency !== next.currency) return undefined;
  const changePercent = (Math.abs(after - before) * 100) / Math.abs(before);
  if (changePercent <= guard.maxChangePercent) return undefined;
  return `price moves ${changePercent.toFixed(1)} % (${before} → ${after} minor units), over the ${guard.maxChangePercent} % guard`;
}

/**
 * Decides what one change does to the record as it stands: one step of the conflict rules
 * (docs/conflict-rules.md), a pure function. Order of checks:
 *
 * 1. no record: create it (a delete creates a tombstone, so an older update arriving later stays deleted);
 * 2. the change would leave the content as it is: `unchanged`, whatever its event id — with the
 *    change's time kept (a restamp, no new version) when it would have won;
 * 3. the record already reflects this event id: `duplicate`;
 * 4. the strategy: last-write-wins (stamp order), source-priority (rank, then stamp), manual-review
 *    (older → stale; vendor data over a local internal/admin edit, or a version mismatch → review),
 *    merge (per-field stamps);
 * 5. the price-change guard on a winning price change (admin edits are exempt).
 *
 * @param current - the stored record, or `undefined` when there is none.
 * @param change - a validated change.
 * @param now - wall-clock epoch ms for `createdAt`/`updatedAt`.
 */
export function decideStep(
  current: SyncRecord | undefined,
  change: Change,
  policy: DecisionPolicy,
  now: number,
): Decision {
  if (!current) return decideCreate(change, policy, now);
  const { strategy, rank } = policy;
  const proposal: Proposal =
    strategy === "merge"
      ? mergeProposal(current, change, rank)
      : {
          attributes: overlay(current.deleted ? {} : current.attributes, change),
          deleted: change.op === "delete",
          stamp: changeStamp(change),
          tookAnything: true,
        };
  if (recordContentHash(proposal.attributes, proposal.deleted) === current.contentHash) {
    return decideEqualContent(current, change, proposal, policy, now);
  }
  if (change.eventId === current.lastEventId) {
    return { action: "skip", outcome: "duplicate", reason: `event ${change.eventId} already applied` };
  }
  const versionConflict = change.expectedVersion !== undefined && change.expectedVersion !== current.version;
  const dataConflict = sourceParty(change.source) !== sourceParty(current.source);
  const conflictType: ConflictType | undefined = versionConflict ? "version" : dataConflict ? "data" : undefined;
  const refused =
    strategyRefusal(current, change, proposal, policy, versionConflict) ??
    priceGuardRefusal(current, change, proposal, policy);
  if (refused) return refused;
  return {
    action: "write",
    outcome: "updated",
    record: buildRecord(current, change, proposal, strategy, now),
    ...(conflictType ? { conflictType } : {}),
  };
}

/** No record yet: create it (a delete creates a tombstone), unless a new record lacks required fields. */
function decideCreate(change: Change, policy: DecisionPolicy, now: number): Decision {
  const { strategy, rank } = policy;
  // Merge assembles records from partial changes of several sources, so it needs no complete first change.
  if (change.op === "upsert" && strategy !== "merge") {
    const missing = REQUIRED_ON_CREATE[change.entityType].filter(
      (field) => change.attributes[field] === undefined || change.attributes[field] === null,
    );
    if (missing.length > 0) {
      return {
        action: "reject",
        outcome: "rejected",
        reason: `a new ${change.entityType} record needs ${missing.map((f) => `attributes.${f}`).join(", ")}`,
        field: `attributes.${missing[0]}`,
      };
    }
  }
  const proposal: Proposal =
    strategy === "merge"
      ? mergeProposal(undefined, change, rank)
      : {
          attributes: overlay({}, change),
          deleted: change.op === "delete",
          stamp: changeStamp(change),
          tookAnything: true,
        };
  return { action: "write", outcome: "created", record: buildRecord(undefined, change, proposal, strategy, now) };
}

/**
 * The content stays as it is. A change that would have won still moves the record's time (or, under
 * merge, its fields' times): equal content at a newer time is a fact the fold needs, or an older change
 * arriving later could win (A-B-A). No content change: no new version.
 */
function decideEqualContent(
  current: SyncRecord,
  change: Change,
  proposal: Proposal,
  policy: DecisionPolicy,
  now: number,
): Decision {
  const moves =
    policy.strategy === "merge" ? proposal.tookAnything : wins(changeStamp(change), recordStamp(current), policy);
  if (moves) return restamp(current, change, proposal, now);
  const overlayHash = recordContentHash(
    overlay(current.deleted ? {} : current.attributes, change),
    change.op === "delete",
  );
  if (overlayHash === current.contentHash) {
    return { action: "skip", outcome: "unchanged", reason: "content equals the stored record" };
  }
  if (change.eventId === current.lastEventId) {
    return { action: "skip", outcome: "duplicate", reason: `event ${change.eventId} already applied` };
  }
  // Merge: the fields that would change lost to newer stored values; the rest are equal.
  return staleDecision(current, "timestamp");
}

/** The strategy's verdict on a content change: stale, outranked or to review; `undefined` when it applies. */
function strategyRefusal(
  current: SyncRecord,
  change: Change,
  proposal: Proposal,
  policy: DecisionPolicy,
  versionConflict: boolean,
): Decision | undefined {
  const { rank } = policy;
  const incoming = changeStamp(change);
  const stored = recordStamp(current);
  switch (policy.strategy) {
    case "last-write-wins":
      return compareStamps(incoming, stored, rank) < 0 ? staleDecision(current, "timestamp") : undefined;
    case "source-priority": {
      const incomingRank = rank(change.source);
      const storedRank = rank(current.source);
      if (incomingRank < storedRank) {
        return {
          action: "skip",
          outcome: "stale",
          reason: `outranked: the record was written by ${current.source}, which ranks above ${change.source}`,
          conflictType: "data",
        };
      }
      return incomingRank === storedRank && compareStamps(incoming, stored, rank) < 0
        ? staleDecision(current, "timestamp")
        : undefined;
    }
    case "manual-review": {
      if (compareStamps(incoming, stored, rank) < 0) return staleDecision(current, "timestamp");
      // Vendor data never silently overwrites a local (internal or admin) edit; local edits over
      // vendor data are deliberate and apply. A stale base version always needs a human.
      const overwritesLocalEdit = sourceParty(change.source) === "vendor" && sourceParty(current.source) !== "vendor";
      if ((!versionConflict && !overwritesLocalEdit) || change.source === "admin") return undefined;
      const reason: ReviewReason = versionConflict ? "version" : "data";
      return review(
        current,
        change,
        proposal,
        reason,
        versionConflict
          ? `change was made against version ${change.expectedVersion}; the record is at version ${current.version}`
          : `the record holds a local edit (${current.source}, ${new Date(current.sourceTs).toISOString()}); ${change.source} would overwrite it`,
      );
    }
    case "merge":
      return proposal.tookAnything ? undefined : staleDecision(current, "timestamp");
  }
}

/** The price-change guard on a winning price change (admin edits are exempt): rejected or to review. */
function priceGuardRefusal(
  current: SyncRecord,
  change: Change,
  proposal: Proposal,
  policy: DecisionPolicy,
): Decision | undefined {
  if (change.entityType !== "price" || change.source === "admin" || proposal.deleted) return undefined;
  const trip = priceGuardTrip(current, proposal.attributes, policy);
  if (!trip) return undefined;
  if (policy.priceGuard?.action === "reject") {
    return { action: "reject", outcome: "rejected", reason: trip, rule: "price-guard", field: "attributes.amount" };
  }
  return review(current, change, proposal, "price-guard", trip);
}

/** Whether a record-level change at `incoming` would replace the record stamped `stored`. */
function wins(incoming: Stamp, stored: Stamp, policy: DecisionPolicy): boolean {
  if (policy.strategy === "source-priority") {
    const a = policy.rank(incoming.source);
    const b = policy.rank(stored.source);
    if (a !== b) return a > b;
  }
  return compareStamps(incoming, stored, policy.rank) > 0;
}

/** The record with the change's time and event id (or, under merge, the moved field and delete stamps). */
function restamp(current: SyncRecord, change: Change, proposal: Proposal, now: number): Decision {
  const stamp = proposal.fieldStamps ? proposal.stamp : changeStamp(change);
  const { sourceVersion: _previous, ...rest } = current;
  return {
    action: "restamp",
    outcome: "unchanged",
    reason: "content equals the stored record; its newer time is kept",
    record: {
      ...rest,
      sourceTs: stamp.sourceTs,
      ...(stamp.sourceVersion === undefined ? {} : { sourceVersion: stamp.sourceVersion }),
      source: stamp.source,
      lastEventId: stamp.eventId,
      lastJobId: change.jobId,
      ...(proposal.fieldStamps ? { fieldStamps: proposal.fieldStamps } : {}),
      ...(proposal.deleteStamp ? { deleteStamp: proposal.deleteStamp } : {}),
      ...(current.deleted
        ? {
            deletedAt: proposal.deleteStamp?.sourceTs ?? (change.op === "delete" ? change.sourceTs : current.deletedAt),
          }
        : {}),
      updatedAt: now,
    },
  };
}

function staleDecision(current: SyncRecord, conflictType: ConflictType): Decision {
  const when = new Date(current.sourceTs).toISOString();
  return {
    action: "skip",
    outcome: "stale",
    reason: current.deleted
      ? `older than the delete at ${when}; the record stays deleted`
      : `older than the stored record (${when}, event ${current.lastEventId})`,
    conflictType,
  };
}

function review(
  current: SyncRecord,
  change: Change,
  proposal: Proposal,
  reason: ReviewReason,
  message: string,
): Decision {
  const proposedAttributes = visible(proposal.attributes);
  return {
    action: "review",
    outcome: "conflicted",
    conflict: {
      reason,
      message,
      recordVersion: current.version,
      current,
      incoming: change,
      proposed: { attributes: proposedAttributes, deleted: proposal.deleted },
      diff: diffAttributes(
        current.deleted ? {} : visible(current.attributes),
        proposal.deleted ? {} : proposedAttributes,
      ),
    },
  };
}
