/**
 * Everyday operations through the deployed admin-operations function (direct invokes and its admin
 * API routes), and internal changes through apply-changes: a conflict reviewed and resolved, the
 * dead-letter queue inspected and redriven, a vendor paused (its webhooks parked) and resumed, the
 * archive replayed.
 */
import { expect, vi } from "vitest";
import type { ContractHarness } from "../../support/aws/harness.ts";
import { canonicalWebhook, deliverAndProcess } from "./realtime.ts";
import { adminApiEvent } from "./scheduled.ts";

export async function operationsScenario(h: ContractHarness): Promise<void> {
  const operations = h.functions.byEntry("admin-operations");
  const invoke = (command: Record<string, unknown>) =>
    h.functions.invoke(operations, command) as Promise<Record<string, unknown>>;

  // Internal changes through the write path; a product edit the vendor then changes again is held for review.
  const apply = h.functions.byEntry("apply-changes");
  const product = (title: string, sourceTs: string) => ({
    entityType: "product",
    entityKey: "OPS-1",
    sourceTs,
    attributes: { title },
  });
  expect(
    await h.functions.invoke(apply, {
      vendorId: "canonical",
      source: "internal",
      changes: [product("Mug", "2026-11-01T00:00:00Z")],
    }),
  ).toMatchObject({ counts: { received: 1 } });
  await h.functions.invoke(apply, {
    vendorId: "canonical",
    source: "admin",
    changes: [product("Big mug", "2026-11-02T00:00:00Z")],
  });
  // A price change past the vendor's guard opens a conflict, notified on the ops topic.
  const price = (amount: string, sourceTs: string) => ({
    entityType: "price",
    entityKey: "OPS-P",
    sourceTs,
    attributes: { amount, currency: "USD" },
  });
  await h.functions.invoke(apply, { vendorId: "canonical", changes: [price("10.00", "2026-11-01T00:00:00Z")] });
  expect(
    await h.functions.invoke(apply, { vendorId: "canonical", changes: [price("99.00", "2026-11-02T00:00:00Z")] }),
  ).toMatchObject({ counts: { conflicted: 1 } });

  // Conflict review: list, show, resolve (the price-guard conflict of the real-time scenario among them).
  const { conflicts } = (await invoke({ action: "conflicts.list", vendorId: "canonical" })) as {
    conflicts: { conflictId: string }[];
  };
  expect(conflicts.length).toBeGreaterThan(0);
  const conflictId = conflicts[0]?.conflictId ?? "";
  expect(await invoke({ action: "conflicts.show", conflictId })).toMatchObject({ conflictId });
  expect(
    await invoke({ action: "conflicts.resolve", conflictId, resolution: { action: "accept" }, by: "ops" }),
  ).toMatchObject({
    conflict: { conflictId },
  });

  // The dead-letter queue: depths, a look at the poison message, a redrive (an SQS message-move task).
  expect(await invoke({ action: "dlq.list" })).toHaveProperty("queues");
  expect(await invoke({ action: "dlq.show", queue: "realtime" })).toHaveProperty("messages");
  const route = await h.functions.invoke(
    operations,
    adminApiEvent(
      "POST /admin/dlq/{queue}/redrive",
      "/admin/dlq/realtime/redrive",
      { queue: "realtime" },
      { ratePerSecond: 10 },
    ),
  );
  expect(route).toMatchObject({ statusCode: 200 });

  // A paused vendor's webhooks are parked; resuming re-queues them (later, past the functions' pause caches).
  expect(await invoke({ action: "vendor.pause", vendorId: "canonical", by: "ops" })).toMatchObject({ paused: true });
  const paused = canonicalWebhook("evt-ops-paused", "OPS-2", "3.00");
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10 * 60 * 1000 });
  try {
    expect(await deliverAndProcess(h, paused)).toMatchObject({ statusCode: 202 });
    expect(await invoke({ action: "vendor.resume", vendorId: "canonical", by: "ops" })).toMatchObject({ requeued: 1 });
  } finally {
    vi.useRealTimers();
  }
  await deliverAndProcess(h, canonicalWebhook("evt-ops-after", "OPS-3", "4.00"));

  // Replaying the archive's deliveries of a window.
  const since = new Date(Date.now() - 24 * 60 * 60 * 1000).toISOString();
  const replay = await invoke({ action: "webhooks.replay", vendorId: "canonical", since });
  expect(replay).toMatchObject({ complete: true });
}
