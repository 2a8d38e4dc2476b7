import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConcurrentUpdateError } from "../../lambdas/core/errors.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { preconditionOf } from "../../lambdas/core/record.ts";
import { importFile } from "../../local/commands/import.ts";
import {
  dlqList,
  dlqRedrive,
  listConflicts,
  pauseVendorLocally,
  resolveConflictLocally,
  resumeVendorLocally,
} from "../../local/commands/operations.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { stripeSignature, webhookEvent } from "../support/webhooks.ts";

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  for (const file of ["01-baseline.jsonl", "02-internal-edit.jsonl", "03-vendor-updates.jsonl"]) {
    await importFile(sandbox, {
      vendorId: "canonical",
      file: repoPath(`examples/canonical/${file}`),
      asOf: "2026-11-01T12:00:00Z",
    });
  }
});
afterAll(async () => {
  await sandbox.close();
});

const productConflict = async () =>
  (await listConflicts(sandbox, { vendorId: "canonical" })).find((c) => c.entityType === "product");

describe("conflict review", () => {
  it("lists the open conflicts the import left, with their field diff", async () => {
    const open = await listConflicts(sandbox, {});
    const seen = open.map((c) => [c.entityType, c.entityKey, c.reason, c.diff.map((d) => d.field)]).sort();
    expect(seen).toEqual([
      ["price", "24-MB04", "price-guard", ["amount"]],
      ["product", "24-MB01", "data", ["title"]],
    ]);
  });

  it("lets one of two admins resolving the same conflict win; the other gets a clear error", async () => {
    const conflict = await productConflict();
    const results = await Promise.allSettled([
      resolveConflictLocally(sandbox, {
        conflictId: conflict?.conflictId ?? "",
        resolution: { action: "accept" },
        by: "alice",
      }),
      resolveConflictLocally(sandbox, {
        conflictId: conflict?.conflictId ?? "",
        resolution: { action: "reject" },
        by: "bob",
      }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(ConcurrentUpdateError);
    expect(String(lost[0]?.reason.message)).toMatch(/(being resolved by|already resolved by) (alice|bob)/);
    const stored = await sandbox.sync.getConflict(conflict?.conflictId ?? "");
    expect(stored?.status).toBe("RESOLVED");
    expect(stored?.resolution?.by).toMatch(/alice|bob/);
  });

  it("reads an edited amount in the record's currency: JPY has no minor units, so 36.50 is refused and the conflict stays open", async () => {
    const conflict = (await listConflicts(sandbox, { vendorId: "canonical" })).find((c) => c.entityType === "price");
    expect(conflict?.current.attributes.currency).toBe("JPY");
    await expect(
      resolveConflictLocally(sandbox, {
        conflictId: conflict?.conflictId ?? "",
        resolution: { action: "edit", values: { amount: "36.50" } },
        by: "erin",
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/"36\.50" has more decimal places than JPY/),
      field: expect.stringContaining("amount"),
    });
    expect((await sandbox.sync.getConflict(conflict?.conflictId ?? ""))?.status).toBe("OPEN");
    const price = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "24-MB04" });
    expect(price?.attributes).toEqual({ amount: 4800, currency: "JPY" });
  });

  it("applies an accepted price-guard conflict with a version check and records who and when", async () => {
    const conflict = (await listConflicts(sandbox, { vendorId: "canonical" })).find((c) => c.entityType === "price");
    const result = await resolveConflictLocally(sandbox, {
      conflictId: conflict?.conflictId ?? "",
      resolution: { action: "accept" },
      by: "carol",
    });
    expect(result.written).toBe(true);
    const price = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "24-MB04" });
    expect(price).toMatchObject({
      attributes: { amount: 9800, currency: "JPY" },
      source: "admin",
      version: (conflict?.recordVersion ?? 0) + 1,
    });
    expect(result.conflict.resolution).toMatchObject({ action: "accept", by: "carol", appliedVersion: price?.version });
  });

  it("keeps the record's currency when an edit gives only an amount", async () => {
    // The price is now 9800 JPY; a vendor change doubling it again opens a fresh price-guard conflict.
    const file = join(tempDir(), "price-jump.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ entityType: "price", entityKey: "24-MB04", eventId: "cat-2026-11-06-1", sourceTs: "2099-01-01T00:00:00Z", attributes: { amount: "30000", currency: "JPY" } })}\n`,
    );
    expect((await importFile(sandbox, { vendorId: "canonical", file })).counts.conflicted).toBe(1);
    const conflict = (await listConflicts(sandbox, { vendorId: "canonical" })).find((c) => c.entityType === "price");
    await resolveConflictLocally(sandbox, {
      conflictId: conflict?.conflictId ?? "",
      resolution: { action: "edit", values: { amount: "12000" } },
      by: "erin",
    });
    const price = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "24-MB04" });
    expect(price?.attributes).toEqual({ amount: 12000, currency: "JPY" });
  });

  it("fails to resolve when the record changed since the conflict was raised, and leaves it open", async () => {
    // A new vendor change to the product raises a fresh conflict (the record holds a local edit).
    const file = join(tempDir(), "vendor-change.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ entityType: "product", entityKey: "24-MB01", eventId: "cat-2026-11-05-1", sourceTs: "2099-01-01T00:00:00Z", attributes: { title: "Joust 3" } })}\n`,
    );
    const imported = await importFile(sandbox, { vendorId: "canonical", file });
    expect(imported.counts.conflicted).toBe(1);
    const fresh = (await listConflicts(sandbox, { vendorId: "canonical" })).find((c) => c.entityType === "product");
    expect(fresh).toBeDefined();
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "product", entityKey: "24-MB01" });
    await sandbox.records.put(
      {
        ...(record as NonNullable<typeof record>),
        version: (record?.version ?? 0) + 1,
        revision: (record?.revision ?? 0) + 1,
        attributes: { ...record?.attributes, brand: "Other" },
      },
      preconditionOf(record),
    );
    await expect(
      resolveConflictLocally(sandbox, {
        conflictId: fresh?.conflictId ?? "",
        resolution: { action: "edit", values: { title: "Edited" } },
        by: "dave",
      }),
    ).rejects.toThrow(/changed since the conflict was raised/);
    expect((await sandbox.sync.getConflict(fresh?.conflictId ?? ""))?.status).toBe("OPEN");
  });
});

describe("vendor pause", () => {
  const secret = () => sandbox.secrets.current("vendor-sync/canonical/webhook");
  const post = (id: string, amount: string) => {
    const body = Buffer.from(
      JSON.stringify({
        id,
        type: "price.updated",
        created: Math.floor(Date.now() / 1000),
        data: [
          {
            entityType: "price",
            entityKey: "PAUSE-1",
            sourceTs: `2026-11-02T0${amount.length}:00:00Z`,
            attributes: { amount },
          },
        ],
      }),
    );
    return sandbox.ingest(
      webhookEvent("canonical", body, {
        "content-type": "application/json",
        "stripe-signature": stripeSignature(secret(), body, Math.floor(Date.now() / 1000)),
      }),
    );
  };

  it("accepts and parks webhooks while paused, then processes each once on resume", async () => {
    await pauseVendorLocally(sandbox, "canonical", "ops");
    expect((await post("evt_p1", "10")).statusCode).toBe(202);
    expect((await post("evt_p2", "11.5")).statusCode).toBe(202);
    expect((await post("evt_p1", "10")).statusCode).toBe(202); // a redelivery: de-duplicated, not parked twice
    await sandbox.realtimeDriver.drain();
    expect(await sandbox.pause.listParked("canonical")).toHaveLength(2);
    expect(
      await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "PAUSE-1" }),
    ).toBeUndefined();

    const resumed = await resumeVendorLocally(sandbox, "canonical", "ops");
    await sandbox.realtimeDriver.drain();
    expect(resumed.requeued).toBe(2);
    expect(await sandbox.pause.listParked("canonical")).toHaveLength(0);
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "PAUSE-1" });
    expect(record?.attributes.amount).toBe(1150);
    expect(record?.version).toBe(2);
  });
});

describe("DLQ workbench", () => {
  it("redrives dead letters back to processing, and a redriven message changes data at most once", async () => {
    const message = JSON.stringify({
      kind: "webhook",
      version: 1,
      vendorId: "canonical",
      eventId: "evt_dlq",
      receivedAt: Date.parse("2026-11-03T00:00:00Z"),
      archiveKey: "x",
      mapping: {
        kind: "changes",
        eventId: "evt_dlq",
        changes: [
          {
            entityType: "price",
            entityKey: "DLQ-1",
            eventId: "evt_dlq",
            sourceTs: "2026-11-03T00:00:00Z",
            attributes: { amount: "3" },
          },
        ],
      },
    });
    // Two copies of one event in the DLQ (a dead letter and its duplicate from a retried send).
    await sandbox.realtimeQueue.send({ body: message });
    await sandbox.realtimeQueue.send({ body: message });
    for (const received of await sandbox.realtimeQueue.receive(10)) {
      await sandbox.realtimeQueue.deadLetter(
        { receiptHandle: received.receiptHandle ?? "", body: received.body, attributes: {} },
        "simulated outage",
      );
    }
    expect((await dlqList(sandbox))[0]).toMatchObject({ queue: "realtime", deadLetters: 2 });
    const moved = await dlqRedrive(sandbox, "realtime", { ratePerSecond: 100 });
    await sandbox.realtimeDriver.drain();
    expect(moved.moved).toBe(2);
    expect((await dlqList(sandbox))[0]).toMatchObject({ messages: 0, deadLetters: 0 });
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "DLQ-1" });
    expect(record).toMatchObject({ version: 1, attributes: { amount: 300 } });
  });
});
