import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import type { ConflictStrategy } from "../../lambdas/core/model.ts";
import { change, policy, T0 } from "../support/changes.ts";
import { startTestDynamo, stores } from "../support/dynamo.ts";

let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;

beforeAll(async () => {
  dynamo = await startTestDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

function writerFor(strategy: ConflictStrategy, vendorStores = stores(dynamo)) {
  return {
    ...vendorStores,
    writer: new ChangeInterpreter({
      records: vendorStores.records,
      conflicts: vendorStores.sync,
      policyFor: () => ({ ...policy(strategy), negativeStock: "allow" }),
    }),
  };
}

describe("write path on the embedded DynamoDB", () => {
  it("two writers racing on one record lose no update (merge, conditional writes, re-read on conflict)", async () => {
    // Prepare: two independent writers (own clients, like two Lambda instances).
    const a = writerFor("merge");
    const b = writerFor("merge");
    const fields = ["title", "brand", "description", "productType", "barcode", "urlKey"] as const;
    const writes = fields.map((field, i) =>
      (i % 2 === 0 ? a : b).writer.write(
        change(
          {
            entityType: "product",
            entityKey: "P-1",
            eventId: `e-${field}`,
            sourceTs: T0 + i,
            attributes: { [field]: `${field}-value` },
          },
          { vendorId: "race" },
        ),
      ),
    );
    // Act
    const results = await Promise.all(writes);
    // Assess
    expect(results.map((r) => r.outcome).sort()).toEqual([
      "created",
      "updated",
      "updated",
      "updated",
      "updated",
      "updated",
    ]);
    const record = await a.records.get({ vendorId: "race", entityType: "product", entityKey: "P-1" });
    expect(record?.version).toBe(fields.length);
    expect(Object.keys(record?.attributes ?? {}).sort()).toEqual([...fields].sort());
  });

  it("last-write-wins under concurrency ends with the newest change, whatever order the writes land in", async () => {
    const writers = [writerFor("last-write-wins"), writerFor("last-write-wins"), writerFor("last-write-wins")];
    const order = [3, 9, 1, 7, 5, 2, 8, 4, 6, 0];
    await Promise.all(
      order.map((n, i) =>
        (writers[i % writers.length] as ReturnType<typeof writerFor>).writer.write(
          change(
            { entityKey: "SKU-9", eventId: `e${n}`, sourceTs: T0 + n * 1000, attributes: { amount: `${10 + n}` } },
            { vendorId: "lww" },
          ),
        ),
      ),
    );
    const record = await writers[0]?.records.get({ vendorId: "lww", entityType: "price", entityKey: "SKU-9" });
    expect(record?.attributes.amount).toBe(1900);
    expect(record?.lastEventId).toBe("e9");
  });

  it("re-applying the same batch makes zero write calls and reports every change unchanged", async () => {
    const { writer, commands } = writerFor("last-write-wins");
    const batch = Array.from({ length: 150 }, (_, i) =>
      change({ entityKey: `K-${i}`, attributes: { amount: `${i}.99` } }, { vendorId: "zero" }),
    );
    await writer.writeBatch(batch.slice(0, 100));
    await writer.writeBatch(batch.slice(100));
    const putsAfterFirst = commands.get("PutItemCommand") ?? 0;
    const again = [...(await writer.writeBatch(batch.slice(0, 100))), ...(await writer.writeBatch(batch.slice(100)))];
    expect(again.every((r) => r.outcome === "unchanged")).toBe(true);
    expect(commands.get("PutItemCommand") ?? 0).toBe(putsAfterFirst);
  });

  it("rejects a record over the 400 KB item limit with a reason naming the field, and writes nothing", async () => {
    const { writer, records } = writerFor("last-write-wins");
    // Random text: compression cannot bring it under the limit.
    const description = randomBytes(420_000).toString("base64");
    const result = await writer.write(
      change(
        { entityType: "product", entityKey: "HUGE", attributes: { title: "Huge", description } },
        { vendorId: "big" },
      ),
    );
    expect(result).toMatchObject({ outcome: "rejected", field: "attributes.description" });
    expect(await records.get({ vendorId: "big", entityType: "product", entityKey: "HUGE" })).toBeUndefined();
  });

  it("lists a vendor's records through the write-sharded index", async () => {
    const { writer, records } = writerFor("last-write-wins");
    const keys = Array.from({ length: 40 }, (_, i) => `L-${String(i).padStart(2, "0")}`);
    await writer.writeBatch(
      keys.map((key) => change({ entityKey: key, attributes: { amount: "1" } }, { vendorId: "list" })),
    );
    await writer.write(
      change({ entityType: "inventory", entityKey: "L-00", attributes: { available: "3" } }, { vendorId: "list" }),
    );
    const prices = await records.listByVendor("list", { entityType: "price", limit: 100 });
    expect(prices.map((r) => r.entityKey)).toEqual(keys);
    expect(await records.listByVendor("list", { limit: 100 })).toHaveLength(41);
  });

  it("stores a manual-review conflict once and lists it as open", async () => {
    const { writer, sync } = writerFor("manual-review");
    const product = (input: Record<string, unknown>) =>
      change({ entityType: "product", entityKey: "R-1", ...input }, { vendorId: "review" });
    await writer.write(product({ eventId: "v1", attributes: { title: "A" } }));
    await writer.write(product({ eventId: "i1", source: "internal", sourceTs: T0 + 1, attributes: { title: "B" } }));
    const first = await writer.write(product({ eventId: "v2", sourceTs: T0 + 2, attributes: { title: "C" } }));
    await writer.write(product({ eventId: "v2", sourceTs: T0 + 2, attributes: { title: "C" } }));
    const open = await sync.listConflicts("review");
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      conflictId: first.conflictId,
      status: "OPEN",
      reason: "data",
      recordVersion: 2,
      diff: [{ field: "title", current: "B", incoming: "C" }],
    });
  });
});
