import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Change } from "../../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../../lambdas/core/changes/interpreter.ts";
import { recordToWrite } from "../../../lambdas/core/changes/planned.ts";
import { changeStamp, compareStamps, type DecisionPolicy, decide } from "../../../lambdas/core/conflict-rules.ts";
import type { ConflictStrategy } from "../../../lambdas/core/model.ts";
import { countOutcome, countsReconcile, emptyCounts } from "../../../lambdas/core/outcomes.ts";
import type { SyncRecord } from "../../../lambdas/core/record.ts";
import { change, policy, T0 } from "../../support/changes.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../support/memory-stores.ts";

const NOW = T0 + 1e9;

/** Applies changes in order the way the write path does; returns the final record and the decisions. */
function applyAll(changes: readonly Change[], p: DecisionPolicy) {
  let record: SyncRecord | undefined;
  const decisions = changes.map((c) => {
    const decision = decide(record, c, p, NOW);
    // What the interpreter writes: the record of a write or restamp, or a history-only write.
    record = recordToWrite(decision) ?? record;
    return decision;
  });
  return { record, decisions };
}

const state = (record: SyncRecord | undefined) =>
  record && { deleted: record.deleted, contentHash: record.contentHash, attributes: record.attributes };

/**
 * Events for one price record: distinct stamps, and every upsert carries a value no other event carries
 * (equal content at different times is "unchanged" and costs no write by design; see docs/conflict-rules.md).
 */
const priceEvents = fc
  .array(
    fc.record({
      ts: fc.integer({ min: 0, max: 20 }),
      version: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      source: fc.constantFrom("vendor:webhook", "vendor:file", "vendor:pull", "internal", "admin"),
      del: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((events) =>
    events.map((e, i) =>
      change({
        eventId: `e${i}`,
        sourceTs: T0 + e.ts * 1000,
        ...(e.version === undefined ? {} : { sourceVersion: e.version }),
        source: e.source,
        op: e.del ? "delete" : "upsert",
        attributes: { amount: `${100 + i}`, compareAtAmount: `${200 + i}` },
      }),
    ),
  );

/** Partial product events: random subsets of fields, each value unique to its event. */
const productEvents = fc
  .array(
    fc.record({
      ts: fc.integer({ min: 0, max: 20 }),
      source: fc.constantFrom("vendor:webhook", "vendor:file", "internal"),
      del: fc.boolean(),
      fields: fc.subarray(["title", "brand", "description", "productType"], { minLength: 1 }),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((events) =>
    events.map((e, i) =>
      change({
        entityType: "product",
        eventId: `e${i}`,
        sourceTs: T0 + e.ts * 1000,
        source: e.source,
        op: e.del ? "delete" : "upsert",
        attributes: Object.fromEntries(e.fields.map((f) => [f, `${f}-${i}`])),
      }),
    ),
  );

const withPermutation = <T>(arb: fc.Arbitrary<T[]>) =>
  arb.chain((events) =>
    fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
  );

describe("conflict rules — properties", () => {
  for (const [strategy, events] of [
    ["last-write-wins", priceEvents],
    ["source-priority", priceEvents],
    ["merge", productEvents],
    ["merge", priceEvents],
  ] as [ConflictStrategy, fc.Arbitrary<Change[]>][]) {
    it(`${strategy}: any delivery order of the same events converges to the same record`, () => {
      fc.assert(
        fc.property(withPermutation(events), ([inOrder, shuffled]) => {
          const p = policy(strategy);
          expect(state(applyAll(shuffled, p).record)).toEqual(state(applyAll(inOrder, p).record));
        }),
        { numRuns: 300 },
      );
    });
  }

  it("last-write-wins: the final record is the newest event's", () => {
    fc.assert(
      fc.property(priceEvents, (events) => {
        const p = policy("last-write-wins");
        const newest = [...events].sort((a, b) => compareStamps(changeStamp(b), changeStamp(a), p.rank))[0] as Change;
        const { record } = applyAll(events, p);
        expect(record?.deleted).toBe(newest.op === "delete");
        if (newest.op === "upsert") expect(record?.attributes.amount).toBe(newest.attributes.amount);
      }),
    );
  });

  for (const strategy of ["last-write-wins", "source-priority", "manual-review", "merge"] as const) {
    it(`${strategy}: a duplicate delivery is a no-op`, () => {
      fc.assert(
        fc.property(priceEvents, fc.nat(), (events, pick) => {
          const p = policy(strategy);
          const { record } = applyAll(events, p);
          const again = events[pick % events.length] as Change;
          const decision = decide(record, again, p, NOW);
          expect(decision.action).not.toBe("write");
        }),
      );
    });
  }

  it("last-write-wins and merge: a stale event never overwrites newer data", () => {
    fc.assert(
      fc.property(priceEvents, fc.constantFrom<ConflictStrategy>("last-write-wins", "merge"), (events, strategy) => {
        const p = policy(strategy);
        const { record } = applyAll(events, p);
        if (!record) return;
        const stale = change({
          eventId: "zz-late",
          sourceTs: T0 - 1000,
          attributes: { amount: "999", compareAtAmount: "998" },
        });
        const decision = decide(record, stale, p, NOW);
        if (decision.action === "write") {
          // Only merge may take a field nobody wrote yet; it never replaces a value that is stored.
          for (const [field, value] of Object.entries(record.attributes)) {
            if (value !== null) expect(decision.record.attributes[field]).toEqual(value);
          }
        }
      }),
    );
  });

  it("an update older than a delete leaves the record deleted (last-write-wins and merge)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom<ConflictStrategy>("last-write-wins", "merge"),
        (gap, strategy) => {
          const p = policy(strategy);
          const created = change({ eventId: "c", sourceTs: T0, attributes: { amount: "1" } });
          const deleted = change({ eventId: "d", op: "delete", sourceTs: T0 + 2000 });
          const older = change({ eventId: "u", sourceTs: T0 + 2000 - gap, attributes: { amount: "2" } });
          expect(applyAll([created, deleted, older], p).record?.deleted).toBe(true);
          expect(applyAll([deleted, older, created], p).record?.deleted).toBe(true);
        },
      ),
    );
  });

  it("outcome counts reconcile: received equals the sum of outcomes, every change has one", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            key: fc.constantFrom("A", "B", "C"),
            ts: fc.integer({ min: 0, max: 5 }),
            amount: fc.constantFrom("10", "10", "11", "500", "-1"),
            source: fc.constantFrom("vendor:file", "internal"),
          }),
          { maxLength: 30 },
        ),
        fc.constantFrom<ConflictStrategy>("last-write-wins", "manual-review", "merge", "source-priority"),
        async (rows, strategy) => {
          const writer = new ChangeInterpreter({
            records: new MemoryRecordStore(),
            conflicts: new MemoryConflictStore(),
            policyFor: () => ({
              ...policy(strategy, { priceGuard: { maxChangePercent: 50, action: "review" } }),
              negativeStock: "reject",
            }),
          });
          const changes = rows.map((r, i) =>
            change({
              entityType: "inventory",
              entityKey: r.key,
              eventId: `e${i}`,
              sourceTs: T0 + r.ts,
              source: r.source,
              attributes: { available: r.amount },
            }),
          );
          const results = await writer.writeBatch(changes);
          const counts = emptyCounts();
          for (const result of results) countOutcome(counts, result.outcome);
          expect(results).toHaveLength(changes.length);
          expect(counts.received).toBe(changes.length);
          expect(countsReconcile(counts)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
