import { describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../../config/load-vendors.ts";
import { replayArchivedDeliveries } from "../../../../lambdas/core/operations/replay-webhooks.ts";
import type { OutgoingMessage } from "../../../../lambdas/core/ports.ts";
import { type ArchivedDelivery, archiveKeyFor } from "../../../../lambdas/core/realtime/webhook-message.ts";

const vendors = loadVendorConfigs();
const canonical = vendors.get("canonical");
if (!canonical) throw new Error("config/vendors/canonical.json is missing");
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-20T10:00:00Z");

/** An in-memory archive bucket: keys listed in ascending order, as S3 ListObjectsV2 does. */
class MemoryArchive {
  readonly objects = new Map<string, string>();
  listed: string[] = [];
  async *list(prefix: string): AsyncIterable<string> {
    this.listed.push(prefix);
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }
  async readText(key: string): Promise<string | undefined> {
    return this.objects.get(key);
  }
  archive(eventId: string, receivedAt: number, body: unknown): string {
    const key = archiveKeyFor("canonical", eventId, receivedAt);
    const delivery: ArchivedDelivery = {
      vendorId: "canonical",
      eventId,
      receivedAt,
      headers: { "content-type": "application/json" },
      bodyBase64: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)).toString("base64"),
    };
    this.objects.set(key, JSON.stringify(delivery));
    return key;
  }
}

function priceEvent(id: string, key: string, amount: string) {
  return {
    id,
    type: "price.updated",
    created: Math.floor(T0 / 1000),
    data: [{ entityType: "price", entityKey: key, sourceTs: "2026-11-10T00:00:00Z", attributes: { amount } }],
  };
}

function setup() {
  const archive = new MemoryArchive();
  const sent: OutgoingMessage[] = [];
  const deps = {
    archive,
    queue: {
      send: async (message: OutgoingMessage) => {
        sent.push(message);
        return { messageId: String(sent.length) };
      },
    },
    keyIndex: { find: async () => undefined },
  };
  return { archive, sent, deps };
}

describe("replayArchivedDeliveries", () => {
  it("queues each archived delivery in the window with its original event id and receive time", async () => {
    const { archive, sent, deps } = setup();
    archive.archive("evt_before", T0 - DAY, priceEvent("evt_before", "P-0", "1"));
    const inWindow = archive.archive("evt_1", T0, priceEvent("evt_1", "P-1", "10"));
    archive.archive("evt_2", T0 + DAY, priceEvent("evt_2", "P-2", "20"));
    archive.archive("evt_after", T0 + 3 * DAY, priceEvent("evt_after", "P-3", "30"));
    const outcome = await replayArchivedDeliveries(deps, { vendor: canonical, since: T0, until: T0 + 2 * DAY });
    expect(outcome).toMatchObject({ found: 2, queued: 2, unmappable: [], complete: true, dryRun: false });
    expect(outcome.firstReceivedAt).toBe(T0);
    const messages = sent.map((m) => JSON.parse(m.body));
    expect(messages.map((m) => [m.eventId, m.receivedAt])).toEqual([
      ["evt_1", T0],
      ["evt_2", T0 + DAY],
    ]);
    expect(messages[0].archiveKey).toBe(inWindow);
    expect(sent[0]?.attributes).toMatchObject({ vendorId: "canonical", replay: "true" });
    // Only the window's UTC days were listed, not the vendor's whole archive.
    expect(archive.listed).toEqual([
      "webhooks/canonical/2026/11/20/",
      "webhooks/canonical/2026/11/21/",
      "webhooks/canonical/2026/11/22/",
    ]);
  });

  it("sends nothing on a dry run but still counts and maps", async () => {
    const { archive, sent, deps } = setup();
    archive.archive("evt_1", T0, priceEvent("evt_1", "P-1", "10"));
    const outcome = await replayArchivedDeliveries(deps, { vendor: canonical, since: T0 - DAY, dryRun: true });
    expect(outcome).toMatchObject({ found: 1, queued: 0, dryRun: true, complete: true });
    expect(sent).toEqual([]);
  });

  it("keeps a delivery that no longer maps with its key and reason, and replays the rest", async () => {
    const { archive, sent, deps } = setup();
    const broken = archive.archive("evt_bad", T0, "{ not json");
    archive.archive("evt_ok", T0 + 1, priceEvent("evt_ok", "P-1", "10"));
    const outcome = await replayArchivedDeliveries(deps, { vendor: canonical });
    expect(outcome.found).toBe(2);
    expect(outcome.queued).toBe(1);
    expect(outcome.unmappable).toHaveLength(1);
    expect(outcome.unmappable[0]?.archiveKey).toBe(broken);
    expect(outcome.unmappable[0]?.reason).toMatch(/JSON/i);
    expect(sent).toHaveLength(1);
  });

  it("stops at its time budget and resumes after the last delivery it handled, missing none", async () => {
    const { archive, sent, deps } = setup();
    for (let i = 0; i < 5; i++) archive.archive(`evt_${i}`, T0 + i, priceEvent(`evt_${i}`, `P-${i}`, String(i)));
    let clock = 0;
    const slow = {
      ...deps,
      now: () => clock,
      queue: {
        send: async (m: OutgoingMessage) => {
          clock += 10;
          return deps.queue.send(m);
        },
      },
    };
    const first = await replayArchivedDeliveries(slow, { vendor: canonical, since: T0, until: T0 + DAY, budgetMs: 20 });
    expect(first).toMatchObject({ complete: false, queued: 2 });
    const second = await replayArchivedDeliveries(slow, {
      vendor: canonical,
      since: T0,
      until: T0 + DAY,
      budgetMs: 1_000,
      ...(first.resumeAfter ? { after: first.resumeAfter } : {}),
    });
    expect(second).toMatchObject({ complete: true, queued: 3 });
    expect(sent.map((m) => JSON.parse(m.body).eventId)).toEqual(["evt_0", "evt_1", "evt_2", "evt_3", "evt_4"]);
  });

  it("refuses a vendor without a webhook channel and an empty window", async () => {
    const { deps } = setup();
    const magento = vendors.get("magento-luma");
    if (!magento) throw new Error("config/vendors/magento-luma.json is missing");
    await expect(replayArchivedDeliveries(deps, { vendor: magento })).rejects.toThrow(/has no webhook channel/);
    await expect(replayArchivedDeliveries(deps, { vendor: canonical, since: T0, until: T0 })).rejects.toThrow(
      /since must be before until/,
    );
  });
});
