import { describe, expect, it } from "vitest";
import type { Change } from "../../../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../../../lambdas/core/changes/interpreter.ts";
import type { PlannedEntry } from "../../../../lambdas/core/changes/planned.ts";
import type { WritePolicy } from "../../../../lambdas/core/changes/ports.ts";
import type { ChangeResult } from "../../../../lambdas/core/changes/results.ts";
import { ItemTooLargeError, TransientError } from "../../../../lambdas/core/errors.ts";
import type { SyncRecord } from "../../../../lambdas/core/record.ts";
import { change, MINUTE, policy, T0 } from "../../../support/changes.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../../support/memory-stores.ts";

function setup(strategy: WritePolicy["strategy"] = "last-write-wins", extra: Partial<WritePolicy> = {}) {
  const records = new MemoryRecordStore();
  const conflicts = new MemoryConflictStore();
  const sleeps: number[] = [];
  const writer = new ChangeInterpreter({
    records,
    conflicts,
    policyFor: () => ({ ...policy(strategy), negativeStock: "allow", ...extra }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { records, conflicts, writer, sleeps };
}

describe("ChangeInterpreter, live mode", () => {
  it("writes a batch and reports one result per change, in input order", async () => {
    const { writer, records } = setup();
    const results = await writer.writeBatch([
      change({ entityKey: "A", attributes: { amount: "1" } }),
      change({ entityKey: "B", attributes: { amount: "2" } }),
    ]);
    expect(results.map((r) => [r.entityKey, r.outcome, r.version])).toEqual([
      ["A", "created", 1],
      ["B", "created", 1],
    ]);
    expect(records.items.size).toBe(2);
  });

  it("applies changes to the same record in the order given", async () => {
    const { writer, records } = setup();
    const results = await writer.writeBatch([
      change({ eventId: "1", attributes: { amount: "1" } }),
      change({ eventId: "2", sourceTs: T0 + 2 * MINUTE, attributes: { amount: "2" } }),
      change({ eventId: "3", sourceTs: T0 + MINUTE, attributes: { amount: "3" } }),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["created", "updated", "stale"]);
    expect([...records.items.values()][0]?.attributes.amount).toBe(200);
  });

  it("makes no write for an unchanged record", async () => {
    const { writer, records } = setup();
    await writer.write(change({ attributes: { amount: "1" } }));
    const puts = records.puts;
    const result = await writer.write(change({ eventId: "again", attributes: { amount: "1.00" } }));
    expect(result.outcome).toBe("unchanged");
    expect(records.puts).toBe(puts);
  });

  it("re-reads and decides again when another writer wins the race, losing neither update", async () => {
    const { writer, records, sleeps } = setup("merge");
    const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });
    await writer.write(product({ eventId: "base", attributes: { title: "Bag" } }));
    // Another process writes the brand between our read and our write.
    const competitor = new ChangeInterpreter({
      records,
      conflicts: new MemoryConflictStore(),
      policyFor: () => ({ ...policy("merge"), negativeStock: "allow" }),
    });
    let raced = false;
    records.beforePut = async () => {
      if (raced) return;
      raced = true;
      records.beforePut = undefined;
      await competitor.write(
        product({ eventId: "other", sourceTs: T0 + 1, source: "internal", attributes: { brand: "Luma" } }),
      );
    };
    const result = await writer.write(product({ eventId: "mine", sourceTs: T0 + 2, attributes: { tags: ["gym"] } }));
    expect(result.outcome).toBe("updated");
    expect(sleeps.length).toBe(1);
    expect([...records.items.values()][0]?.attributes).toEqual({ title: "Bag", brand: "Luma", tags: ["gym"] });
  });

  it("fails retryably after losing every attempt, with backoff between attempts", async () => {
    const { writer, records, sleeps } = setup();
    records.put = async () => "condition-failed";
    const result = await writer.write(change({ attributes: { amount: "1" } }));
    expect(result).toMatchObject({ outcome: "failed", retryable: true, errorKind: "transient" });
    expect(sleeps).toEqual([10, 20, 40, 80, 160]);
  });

  it("reports a throttled store as a retryable failure", async () => {
    const { writer, records } = setup();
    records.put = async () => {
      throw new TransientError("throttled");
    };
    expect(await writer.write(change({ attributes: { amount: "1" } }))).toMatchObject({
      outcome: "failed",
      retryable: true,
      errorKind: "transient",
    });
  });

  it("rejects a record over the item size limit with its reason, not a crash", async () => {
    const { writer, records } = setup();
    records.put = async () => {
      throw new ItemTooLargeError(500_000, 409_600, { field: "attributes.description" });
    };
    const result = await writer.write(change({ entityType: "product", attributes: { title: "x", description: "y" } }));
    expect(result).toMatchObject({ outcome: "rejected", errorKind: "validation", field: "attributes.description" });
    expect(result.reason).toMatch(/over the DynamoDB item limit/);
  });

  it("notifies once per newly opened conflict, not on a redelivery that finds it open", async () => {
    const opened: string[] = [];
    const records = new MemoryRecordStore();
    const writer = new ChangeInterpreter({
      records,
      conflicts: new MemoryConflictStore(),
      policyFor: () => ({ ...policy("manual-review"), negativeStock: "allow" }),
      onConflictOpened: ({ conflictId }) => {
        opened.push(conflictId);
      },
    });
    const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });
    await writer.write(product({ eventId: "v1", attributes: { title: "A" } }));
    await writer.write(product({ eventId: "i1", source: "internal", sourceTs: T0 + 1, attributes: { title: "B" } }));
    const vendorChange = product({ eventId: "v2", sourceTs: T0 + 2, attributes: { title: "C" } });
    await writer.write(vendorChange);
    await writer.write(vendorChange);
    expect(opened).toHaveLength(1);
  });

  it("stores one conflict per (record, event) for manual review", async () => {
    const { writer, conflicts } = setup("manual-review");
    const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });
    await writer.write(product({ eventId: "v1", attributes: { title: "A" } }));
    await writer.write(product({ eventId: "i1", source: "internal", sourceTs: T0 + 1, attributes: { title: "B" } }));
    const vendorChange = product({ eventId: "v2", sourceTs: T0 + 2, attributes: { title: "C" } });
    const first = await writer.write(vendorChange);
    const again = await writer.write(vendorChange);
    expect(first).toMatchObject({ outcome: "conflicted", conflictType: "data" });
    expect(again.conflictId).toBe(first.conflictId);
    expect(conflicts.conflicts.size).toBe(1);
  });

  it("rejects negative stock when the vendor forbids it", async () => {
    const { writer } = setup("last-write-wins", { negativeStock: "reject" });
    const result = await writer.write(change({ entityType: "inventory", attributes: { available: "-2" } }));
    expect(result).toMatchObject({ outcome: "rejected", errorKind: "business", field: "attributes.available" });
  });

  it("returns the written record so callers can emit change events", async () => {
    const { writer } = setup();
    const result = await writer.write(change({ attributes: { amount: "1" } }));
    expect((result.record as SyncRecord).attributes).toEqual({ amount: 100, currency: "USD" });
  });
});

/** Every kind of decision, for one vendor whose rules produce each: the modes must report them alike. */
function everyOutcome(): Change[] {
  const price = (input: Record<string, unknown>) => change({ entityType: "price", ...input });
  const product = (input: Record<string, unknown>) => change({ entityType: "product", ...input });
  return [
    price({ entityKey: "P", eventId: "p1", attributes: { amount: "10" } }), // created
    price({ entityKey: "P", eventId: "p2", sourceTs: T0 + 2 * MINUTE, attributes: { amount: "11" } }), // updated
    price({ entityKey: "P", eventId: "p3", sourceTs: T0 + MINUTE, attributes: { amount: "9" } }), // stale
    price({ entityKey: "P", eventId: "p4", sourceTs: T0 + 3 * MINUTE, attributes: { amount: "11.00" } }), // unchanged
    price({ entityKey: "P", eventId: "p5", sourceTs: T0 + 4 * MINUTE, attributes: { amount: "40" } }), // price guard: conflicted
    price({ entityKey: "Q", eventId: "q1", attributes: { compareAtAmount: "3" } }), // rejected: new record without amount
    change({ entityType: "inventory", entityKey: "I", eventId: "i1", attributes: { available: "-1" } }), // rejected: negative stock
    product({ entityKey: "M", eventId: "m1", attributes: { title: "A" } }), // created
    product({ entityKey: "M", eventId: "m2", source: "internal", sourceTs: T0 + MINUTE, attributes: { title: "B" } }),
    product({ entityKey: "M", eventId: "m3", sourceTs: T0 + 2 * MINUTE, attributes: { title: "C" } }), // data conflict
    product({ entityKey: "M", eventId: "m2", source: "internal", sourceTs: T0 + MINUTE, attributes: { title: "B2" } }), // duplicate
  ];
}

function modesSetup() {
  const records = new MemoryRecordStore();
  const interpreter = new ChangeInterpreter({
    records,
    conflicts: new MemoryConflictStore(),
    policyFor: (_vendorId, entityType) => ({
      ...policy(entityType === "product" ? "manual-review" : "last-write-wins", {
        priceGuard: { maxChangePercent: 50, action: "review" },
      }),
      negativeStock: "reject",
    }),
  });
  return { records, interpreter };
}

/** What a user sees of a result in every mode (live results carry the record, dry runs the changed fields). */
const reported = (results: readonly ChangeResult[]) => results.map(({ record: _r, fields: _f, ...rest }) => rest);

describe("ChangeInterpreter, modes", () => {
  it("a dry run reports exactly what the live run then does — outcome, reason, field, conflict type and id, version", async () => {
    const changes = everyOutcome();
    const { records, interpreter } = modesSetup();
    const predicted = await interpreter.dryRun().writeBatch(changes);
    expect(records.puts).toBe(0);
    const live = await interpreter.writeBatch(changes);
    expect(new Set(live.map((r) => r.outcome))).toEqual(
      new Set(["created", "updated", "stale", "unchanged", "conflicted", "rejected", "duplicate"]),
    );
    expect(reported(predicted)).toEqual(reported(live));
  });

  it("a plan replayed through live mode does what live mode does, and a replay of the same plan changes no record", async () => {
    const changes = everyOutcome();
    const live = modesSetup();
    const direct = await live.interpreter.writeBatch(changes);
    const planned = modesSetup();
    const { results, planned: entries } = await planned.interpreter.plan({ restamps: "write" }).decide(changes);
    const pending = entries.flatMap((entry) => (entry ? [entry] : []));
    const applied = await planned.interpreter.replay(pending, "job-test");
    const byChange = results.map((result, i) =>
      entries[i] ? (applied[pending.indexOf(entries[i] as PlannedEntry)] as ChangeResult) : result,
    );
    expect(reported(byChange)).toEqual(reported(direct));
    expect([...planned.records.items.values()].map(({ createdAt: _c, updatedAt: _u, ...r }) => r)).toEqual(
      [...live.records.items.values()].map(({ createdAt: _c, updatedAt: _u, ...r }) => r),
    );
    const before = JSON.stringify([...planned.records.items.values()]);
    const again = await planned.interpreter.replay(pending, "job-test");
    expect(again.map((r) => r.outcome).filter((o) => o === "created" || o === "updated")).toEqual(
      pending.flatMap((e, i) => (e.action === "write" && e.outcome !== "unchanged" ? [applied[i]?.outcome] : [])),
    );
    expect(JSON.stringify([...planned.records.items.values()])).toBe(before);
  });
});
