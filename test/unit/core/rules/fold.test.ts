import { describe, expect, it } from "vitest";
import type { Change } from "../../../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../../../lambdas/core/changes/interpreter.ts";
import type { WritePolicy } from "../../../../lambdas/core/changes/ports.ts";
import type { SyncRecord } from "../../../../lambdas/core/record.ts";
import { change, MINUTE, policy, T0 } from "../../../support/changes.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../../support/memory-stores.ts";

const guarded: WritePolicy = {
  ...policy("last-write-wins", { priceGuard: { maxChangePercent: 50, action: "review" } }),
  negativeStock: "allow",
};

function setup(p: WritePolicy = guarded) {
  const records = new MemoryRecordStore();
  const conflicts = new MemoryConflictStore();
  const interpreter = new ChangeInterpreter({ records, conflicts, policyFor: () => p });
  return { records, conflicts, interpreter };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** What a user sees of a record: content and the time and event it reflects. */
const seen = (record: SyncRecord | undefined) =>
  record && {
    attributes: record.attributes,
    deleted: record.deleted,
    sourceTs: record.sourceTs,
    lastEventId: record.lastEventId,
  };

async function deliver(changes: readonly Change[], p: WritePolicy = guarded) {
  const stores = setup(p);
  const outcomes: string[] = [];
  for (const c of changes) outcomes.push((await stores.interpreter.write(c)).outcome);
  return { ...stores, outcomes, record: [...stores.records.items.values()][0] };
}

describe("the price guard judged against the price in force at the change's time", () => {
  const price = (eventId: string, minutes: number, amount: string) =>
    change({ eventId, sourceTs: T0 + minutes * MINUTE, attributes: { amount } });
  const t1 = price("t1", 1, "50.00");
  const t2 = price("t2", 2, "120.00");
  const t3 = price("t3", 3, "55.00");

  it("ends at 55.00 with no open conflict in every order; the 120.00 conflict is closed as superseded", async () => {
    for (const order of permutations([t1, t2, t3])) {
      const run = await deliver(order);
      expect(seen(run.record), order.map((c) => c.eventId).join(",")).toEqual({
        attributes: { amount: 5500, currency: "USD" },
        deleted: false,
        sourceTs: T0 + 3 * MINUTE,
        lastEventId: "t3",
      });
      expect(run.conflicts.open(), order.map((c) => c.eventId).join(",")).toEqual([]);
      expect(run.record?.reviews ?? []).toEqual([]);
    }
  });

  it("takes back a newer price a late older one shows the guard would have held, reopening review for it", async () => {
    const run = await deliver([t2, t1]);
    expect(run.outcomes).toEqual(["created", "updated"]);
    expect(seen(run.record)).toMatchObject({ attributes: { amount: 5000 }, lastEventId: "t1" });
    expect(run.conflicts.open()).toHaveLength(1);
    expect([...run.conflicts.conflicts.values()][0]).toMatchObject({
      reason: "price-guard",
      incoming: { eventId: "t2" },
      recordVersion: run.record?.version,
    });
    await run.interpreter.write(t3);
    expect(run.conflicts.open()).toEqual([]);
    expect([...run.conflicts.status.values()]).toEqual(["SUPERSEDED"]);
  });

  it("reports a late change the fold holds but a newer applied one supersedes as stale, opening nothing", async () => {
    const run = await deliver([t1, t3, t2]);
    expect(run.outcomes).toEqual(["created", "updated", "stale"]);
    expect(run.conflicts.conflicts.size).toBe(0);
  });

  it("keeps the content version when a late change only joins the history (no notification-worthy write)", async () => {
    const run = await deliver([t1, t3]);
    const version = run.record?.version;
    const late = price("t2b", 2, "52.00");
    expect((await run.interpreter.write(late)).outcome).toBe("stale");
    const after = [...run.records.items.values()][0];
    expect(after?.version).toBe(version);
    expect(after?.history?.entries.map((e) => e.eventId)).toEqual(["t1", "t2b", "t3"]);
  });
});

describe("equal content at a newer time (A-B-A)", () => {
  const level = (eventId: string, minutes: number, available: number) =>
    change({ entityType: "inventory", eventId, sourceTs: T0 + minutes * MINUTE, attributes: { available } });
  const a1 = level("a1", 1, 5);
  const b2 = level("b2", 2, 4);
  const a3 = level("a3", 3, 5);

  it("ends at 5 with t3's time and event id in every order", async () => {
    const lww: WritePolicy = { ...policy("last-write-wins"), negativeStock: "allow" };
    for (const order of permutations([a1, b2, a3])) {
      const run = await deliver(order, lww);
      expect(seen(run.record), order.map((c) => c.eventId).join(",")).toEqual({
        attributes: { available: 5 },
        deleted: false,
        sourceTs: T0 + 3 * MINUTE,
        lastEventId: "a3",
      });
    }
  });
});
