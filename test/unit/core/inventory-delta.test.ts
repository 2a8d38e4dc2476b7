import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Change } from "../../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../../lambdas/core/changes/interpreter.ts";
import type { WritePolicy } from "../../../lambdas/core/changes/ports.ts";
import { inventoryDeltaChange, MAX_REMEMBERED_DELTAS } from "../../../lambdas/core/inventory-delta.ts";
import { change, MINUTE, policy, T0 } from "../../support/changes.ts";
import { MemoryConflictStore, MemoryRecordStore } from "../../support/memory-stores.ts";

function setup(
  strategy: WritePolicy["strategy"] = "last-write-wins",
  negativeStock: WritePolicy["negativeStock"] = "allow",
) {
  const records = new MemoryRecordStore();
  const writer = new ChangeInterpreter({
    records,
    conflicts: new MemoryConflictStore(),
    policyFor: () => ({ ...policy(strategy), negativeStock }),
    sleep: async () => {},
    random: () => 0.5,
  });
  return { records, writer };
}

const level = (available: number, sourceTs = T0, eventId = `abs-${sourceTs}`) =>
  change({ entityType: "inventory", entityKey: "SKU-1", eventId, sourceTs, attributes: { available } });

const move = (eventId: string, delta: number, sourceTs: number): Change =>
  inventoryDeltaChange(
    { kind: "inventory-delta", eventId, sourceTs, entityKey: "SKU-1", delta },
    { vendorId: "v1", jobId: "real-time", workflow: "real-time", source: "vendor:webhook" },
  );

const stored = async (records: MemoryRecordStore) =>
  (await records.get({ vendorId: "v1", entityType: "inventory", entityKey: "SKU-1" }))?.attributes.available;

describe("relative inventory movements", () => {
  it("adds a movement to the stored level and remembers its event id on the record", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    const result = await writer.write(move("m1", -3, T0 + MINUTE));
    expect(result.outcome).toBe("updated");
    expect(await stored(records)).toBe(7);
    const record = await records.get({ vendorId: "v1", entityType: "inventory", entityKey: "SKU-1" });
    expect(record?.deltas).toEqual({ baseTs: T0, applied: [{ eventId: "m1", sourceTs: T0 + MINUTE }] });
  });

  it("applies the same movement exactly once, even after other movements (redelivery, replay)", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    await writer.write(move("m1", -3, T0 + MINUTE));
    await writer.write(move("m2", -1, T0 + 2 * MINUTE));
    const again = await writer.write(move("m1", -3, T0 + MINUTE));
    expect(again.outcome).toBe("duplicate");
    expect(await stored(records)).toBe(6);
  });

  it("never applies a movement across a newer absolute value (stale), and the level keeps that value", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    await writer.write(level(20, T0 + 5 * MINUTE));
    const late = await writer.write(move("m-late", -3, T0 + MINUTE));
    expect(late.outcome).toBe("stale");
    expect(await stored(records)).toBe(20);
  });

  it("treats movements applied before a newer absolute value as stale when they are redelivered", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    await writer.write(move("m1", -3, T0 + MINUTE));
    await writer.write(level(50, T0 + 2 * MINUTE));
    expect((await writer.write(move("m1", -3, T0 + MINUTE))).outcome).toBe("stale");
    expect((await writer.write(move("m3", 5, T0 + 3 * MINUTE))).outcome).toBe("updated");
    expect(await stored(records)).toBe(55);
  });

  it("lets an absolute value older than an applied movement lose, as last-write-wins orders them", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    await writer.write(move("m1", -3, T0 + 2 * MINUTE));
    expect((await writer.write(level(99, T0 + MINUTE))).outcome).toBe("stale");
    expect(await stored(records)).toBe(7);
  });

  it("adds movements that arrive out of order, since movements commute", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    await writer.write(move("m2", -2, T0 + 2 * MINUTE));
    await writer.write(move("m1", -1, T0 + MINUTE));
    expect(await stored(records)).toBe(7);
  });

  it("keeps the merge strategy's field stamp on `available` moving forward", async () => {
    const { writer, records } = setup("merge");
    await writer.write(level(10));
    await writer.write(move("m1", 4, T0 + MINUTE));
    const record = await records.get({ vendorId: "v1", entityType: "inventory", entityKey: "SKU-1" });
    expect(record?.attributes.available).toBe(14);
    expect(record?.fieldStamps?.available?.eventId).toBe("m1");
    expect((await writer.write(level(1, T0 + MINUTE / 2))).outcome).toBe("stale");
  });

  it("fails a movement for a record with no stored level (rejected, nothing written)", async () => {
    const { writer, records } = setup();
    const result = await writer.write(move("m1", -1, T0));
    expect(result).toMatchObject({ outcome: "rejected", reason: expect.stringMatching(/no stock level stored/) });
    expect(records.items.size).toBe(0);
  });

  it("fails a movement below zero when the vendor rejects negative stock, and clamps it when asked to", async () => {
    const reject = setup("last-write-wins", "reject");
    await reject.writer.write(level(2));
    expect(await reject.writer.write(move("m1", -5, T0 + MINUTE))).toMatchObject({
      outcome: "rejected",
      errorKind: "business",
    });
    const clamp = setup("last-write-wins", "clamp");
    await clamp.writer.write(level(2));
    await clamp.writer.write(move("m1", -5, T0 + MINUTE));
    expect(await stored(clamp.records)).toBe(0);
  });

  it(`remembers the last ${MAX_REMEMBERED_DELTAS} movements and calls anything older than those it forgot stale`, async () => {
    const { writer, records } = setup();
    await writer.write(level(0));
    for (let i = 1; i <= MAX_REMEMBERED_DELTAS + 5; i++) await writer.write(move(`m${i}`, 1, T0 + i * 1000));
    const record = await records.get({ vendorId: "v1", entityType: "inventory", entityKey: "SKU-1" });
    expect(record?.deltas?.applied).toHaveLength(MAX_REMEMBERED_DELTAS);
    expect(record?.deltas?.floorTs).toBe(T0 + 5 * 1000);
    expect((await writer.write(move("m3", 1, T0 + 3 * 1000))).outcome).toBe("stale");
    expect((await writer.write(move("m50", 1, T0 + 50 * 1000))).outcome).toBe("duplicate");
    expect(await stored(records)).toBe(MAX_REMEMBERED_DELTAS + 5);
  });

  it("ends at the same level whatever order the same movements and redeliveries arrive in (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (deltas, order) => {
          const { writer, records } = setup();
          await writer.write(level(100));
          const moves = deltas.map((d, i) => move(`m${i}`, d, T0 + (i + 1) * 1000));
          // Every movement at least once, plus redeliveries picked by `order`.
          const deliveries = [...moves, ...order.map((n) => moves[n % moves.length] as Change)];
          for (let i = deliveries.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(order.length, 1)] ?? i) % (i + 1);
            [deliveries[i], deliveries[j]] = [deliveries[j] as Change, deliveries[i] as Change];
          }
          for (const delivery of deliveries) await writer.write(delivery);
          expect(await stored(records)).toBe(100 + deltas.reduce((a, b) => a + b, 0));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("is decided the same way by a dry run, which writes nothing", async () => {
    const { writer, records } = setup();
    await writer.write(level(10));
    const puts = records.puts;
    const dryRun = writer.dryRun();
    const results = await dryRun.writeBatch([
      move("m1", -3, T0 + MINUTE),
      move("m1", -3, T0 + MINUTE),
      level(1, T0 - 1),
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["updated", "duplicate", "stale"]);
    expect(records.puts).toBe(puts);
    expect(await stored(records)).toBe(10);
  });
});
