import { describe, expect, it } from "vitest";
import type { ChangeInput } from "../../../../lambdas/core/change-input.ts";
import type { ObjectStore, OutgoingMessage } from "../../../../lambdas/core/ports.ts";
import { acceptDelivery, type Delivery } from "../../../../lambdas/core/realtime/accept-delivery.ts";
import { MAX_INLINE_MAPPING_BYTES } from "../../../../lambdas/core/realtime/webhook-message.ts";
import type { VendorConfig } from "../../../../lambdas/core/vendor-config.ts";

const vendor = { id: "acme" } as VendorConfig;

/** Accepts one delivery whose mapping carries `title`; returns what was queued and archived. */
async function accept(title: string) {
  const sent: OutgoingMessage[] = [];
  const objects = new Map<string, string>();
  const change: ChangeInput = {
    entityType: "product",
    entityKey: "SKU-1",
    sourceTs: 1_700_000_000_000,
    source: "vendor:webhook",
    eventId: "evt-1",
    attributes: { title },
  };
  const delivery: Delivery = {
    eventId: "evt-1",
    receivedAt: 1_700_000_000_500,
    headers: { "X-Shop": "acme" },
    body: Buffer.from("{}"),
    mapping: { kind: "changes", eventId: "evt-1", changes: [change] },
  };
  const acceptance = await acceptDelivery(
    {
      dedup: {
        claim: async () => ({ state: "acquired", token: "t" }),
        complete: async () => true,
        release: async () => {},
      },
      archive: {
        writeText: async (key: string, text: string) => void objects.set(key, text),
      } as unknown as ObjectStore,
      queue: {
        send: async (message) => {
          sent.push(message);
          return { messageId: "m" };
        },
      },
      now: () => delivery.receivedAt,
      sleep: async () => {},
    },
    {},
    vendor,
    delivery,
  );
  return { acceptance, sent, objects, mapping: delivery.mapping };
}

describe("a webhook delivery queued for the processor", () => {
  it("carries its mapping inline: the body is the message as JSON, mapping last", async () => {
    const { acceptance, sent, mapping } = await accept('a "quoted" title, ünïcode');
    expect(acceptance).toEqual({ kind: "accepted" });
    expect(sent).toHaveLength(1);
    const body = sent[0]?.body ?? "";
    const message = JSON.parse(body);
    expect(message).toEqual({
      kind: "webhook",
      version: 1,
      vendorId: "acme",
      eventId: "evt-1",
      receivedAt: 1_700_000_000_500,
      archiveKey: expect.any(String),
      mapping,
    });
    expect(body).toBe(JSON.stringify(message));
  });

  it("points to its archived mapping when the mapping is over the inline limit", async () => {
    const { sent, objects, mapping } = await accept("x".repeat(MAX_INLINE_MAPPING_BYTES));
    const message = JSON.parse(sent[0]?.body ?? "");
    expect(message.mapping).toBeUndefined();
    expect(message.mappingKey).toBe(`${message.archiveKey}.mapping.json`);
    expect(JSON.parse(objects.get(message.mappingKey) ?? "")).toEqual(mapping);
  });
});
