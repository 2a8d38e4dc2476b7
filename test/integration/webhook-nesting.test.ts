/**
 * The nesting limit for vendor payloads, the same at each place a payload is read: ingest answers 400
 * naming it (never 503, so the vendor stops retrying), the processor rejects a queued event over it
 * (kept with its reason, not retried), and replay reports an archived delivery over it as unmappable.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_NESTING } from "../../lambdas/core/json-nesting.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { archiveKeyFor, type WebhookMessage } from "../../lambdas/core/realtime/webhook-message.ts";
import type { ProcessedMessage } from "../../lambdas/core/realtime/webhook-processor.ts";
import { replayArchived } from "../../local/commands/replay.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { stripeSignature, webhookEvent } from "../support/webhooks.ts";

let sandbox: Sandbox;
const processed: ProcessedMessage[] = [];

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  sandbox.events.on("processed", (p: ProcessedMessage) => processed.push(p));
});
afterAll(async () => {
  await sandbox.close();
});

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

/**
 * A canonical body `depth` levels deep: the nesting is in an envelope field the mapper ignores (vendor
 * envelopes carry such metadata), so only the limit decides.
 */
const deepBody = (id: string, depth: number) =>
  Buffer.from(
    `{"id":"${id}","type":"product.updated","created":${Math.floor(Date.now() / 1000)},"context":${nested(depth - 1)},"data":[{"entityType":"product","entityKey":"${id}","attributes":{"title":"Deep"}}]}`,
  );

const post = (body: Buffer) =>
  sandbox.ingest(
    webhookEvent("canonical", body, {
      "content-type": "application/json",
      "stripe-signature": stripeSignature(
        sandbox.secrets.current("vendor-sync/canonical/webhook"),
        body,
        Math.floor(Date.now() / 1000),
      ),
    }),
  );

describe("payload nesting limit", () => {
  it("ingest answers a validly signed body about 4,600 levels deep with 400 naming the limit, every time", async () => {
    const body = deepBody("evt_deep", 4_600);
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body ?? "{}")).toEqual({
        error: `body (at character ${body.indexOf("[[") + MAX_JSON_NESTING - 1}) nests arrays and objects more than ${MAX_JSON_NESTING} levels deep (the limit for vendor payloads)`,
        field: "body",
      });
    }
    expect((await sandbox.realtimeQueue.peek()).filter((m) => m.body.includes("evt_deep"))).toEqual([]);
  });

  it(`accepts a body exactly ${MAX_JSON_NESTING} levels deep and stores it; refuses ${MAX_JSON_NESTING + 1}`, async () => {
    expect((await post(deepBody("evt_deep_over", MAX_JSON_NESTING + 1))).statusCode).toBe(400);
    expect((await post(deepBody("evt_deep_ok", MAX_JSON_NESTING))).statusCode).toBe(202);
    await sandbox.realtimeDriver.drain();
    const record = await sandbox.records.get({
      vendorId: "canonical",
      entityType: "product",
      entityKey: "evt_deep_ok",
    });
    expect(record?.attributes.title).toBe("Deep");
  });

  it("the processor rejects a queued event over the limit with its reason, without retrying it", async () => {
    // Queued before the limit existed: too deep for JSON.stringify here, so the message is written as text.
    const message: Omit<WebhookMessage, "mapping"> = {
      kind: "webhook",
      version: 1,
      vendorId: "canonical",
      eventId: "evt_deep_queued",
      receivedAt: Date.now(),
      archiveKey: archiveKeyFor("canonical", "evt_deep_queued", Date.now()),
    };
    const mapping = `{"kind":"changes","eventId":"evt_deep_queued","changes":[{"entityType":"product","entityKey":"Q-DEEP","attributes":{"extra":${nested(4_600)}}}]}`;
    const body = `${JSON.stringify(message).slice(0, -1)},"mapping":${mapping}}`;
    await sandbox.realtimeQueue.send({ body, attributes: { vendorId: "canonical" } });
    await sandbox.realtimeDriver.drain();
    expect(processed.find((p) => p.eventId === "evt_deep_queued")?.note).toBe(
      `rejected: mapping nests arrays and objects more than ${MAX_JSON_NESTING} levels deep (the limit for vendor payloads)`,
    );
    expect(await sandbox.realtimeQueue.peek()).toEqual([]);
    expect(await sandbox.realtimeQueue.peek(sandbox.realtimeQueue.deadLetterName)).toEqual([]);
  });

  it("replay reports an archived delivery over the limit as unmappable, naming the limit (no stack overflow)", async () => {
    const receivedAt = Date.now();
    const body = deepBody("evt_deep_archived", 20_000);
    await sandbox.archive.writeText(
      archiveKeyFor("canonical", "evt_deep_archived", receivedAt),
      JSON.stringify({
        vendorId: "canonical",
        eventId: "evt_deep_archived",
        receivedAt,
        headers: { "content-type": "application/json" },
        bodyBase64: body.toString("base64"),
      }),
    );
    const result = await replayArchived(sandbox, { vendorId: "canonical", since: new Date(receivedAt).toISOString() });
    expect(result.unmappable).toEqual([
      {
        archiveKey: archiveKeyFor("canonical", "evt_deep_archived", receivedAt),
        reason: expect.stringMatching(new RegExp(`more than ${MAX_JSON_NESTING} levels deep`)),
      },
    ]);
  });
});
