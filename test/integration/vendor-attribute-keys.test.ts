/**
 * Vendor attributes are data, whatever their names: `__proto__`, `constructor`, `prototype` and
 * `toString` keys in a product's options and vendor-specific attributes are kept end to end (webhook
 * and file, stored and read back), a reserved name where a fixed field is expected is rejected
 * naming it, and a key that is not Unicode text (a lone surrogate) is rejected naming the field.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLog } from "../../lambdas/core/ports.ts";
import type { ProcessedMessage } from "../../lambdas/core/realtime/webhook-processor.ts";
import { importFile } from "../../local/commands/import.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";
import { stripeSignature, webhookEvent } from "../support/webhooks.ts";

let sandbox: Sandbox;
const processed: ProcessedMessage[] = [];

beforeAll(async () => {
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true"); // the batch stages' EMF lines (no CloudWatch here)
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  sandbox.events.on("processed", (p: ProcessedMessage) => processed.push(p));
});
afterAll(async () => {
  await sandbox.close();
});

// JSON text, so the keys arrive as a vendor sends them (an object literal would set a prototype).
const EXTRA = '{"__proto__":"p","constructor":"c","prototype":"t","toString":"s","~tilde":"x","material":"cotton"}';
const OPTIONS = '{"__proto__":"XS","constructor":"Red"}';
const product = (key: string) =>
  `{"entityType":"product","entityKey":"${key}","sourceTs":"2026-11-01T00:00:00Z","attributes":{"title":"Odd names","options":${OPTIONS},"extra":${EXTRA}}}`;

async function post(id: string, data: string) {
  const body = Buffer.from(
    `{"id":"${id}","type":"product.updated","created":${Math.floor(Date.now() / 1000)},"data":[${data}]}`,
  );
  const secret = sandbox.secrets.current("vendor-sync/canonical/webhook");
  const response = await sandbox.ingest(
    webhookEvent("canonical", body, {
      "content-type": "application/json",
      "stripe-signature": stripeSignature(secret, body, Math.floor(Date.now() / 1000)),
    }),
  );
  expect(response.statusCode, response.body).toBe(202);
  await sandbox.realtimeDriver.drain();
  return processed.filter((p) => p.eventId === id).flatMap((p) => p.results);
}

async function stored(entityKey: string) {
  const record = await sandbox.records.get({ vendorId: "canonical", entityType: "product", entityKey });
  const { extra, options } = (record?.attributes ?? {}) as Record<string, Record<string, unknown>>;
  return { extra: Object.entries(extra ?? {}), options: Object.entries(options ?? {}) };
}

const EXPECTED = {
  extra: Object.entries(JSON.parse(EXTRA)),
  options: Object.entries(JSON.parse(OPTIONS)),
};

describe("attribute names that are JavaScript's own", () => {
  it("keeps them from a webhook through the queue into the store and back", async () => {
    const results = await post("evt_names", product("NAMES-1"));
    expect(results.map((r) => r.outcome)).toEqual(["created"]);
    expect(await stored("NAMES-1")).toEqual(EXPECTED);
    expect(EXPECTED.extra.map(([key]) => key)).toContain("__proto__");
  });

  it("keeps them from a JSON Lines file, and a re-import of the same file is unchanged", async () => {
    const file = join(tempDir(), "names.jsonl");
    writeFileSync(file, `${product("NAMES-2")}\n`);
    const first = await importFile(sandbox, { vendorId: "canonical", file });
    expect(first).toMatchObject({ status: "SUCCEEDED", counts: { created: 1 } });
    expect(await stored("NAMES-2")).toEqual(EXPECTED);
    const again = await importFile(sandbox, { vendorId: "canonical", file });
    expect(again).toMatchObject({ status: "SUCCEEDED", counts: { unchanged: 1, created: 0, updated: 0 } });
  });

  it("rejects __proto__ or constructor where a fixed field is expected, naming it (never dropped silently)", async () => {
    const attribute = await post(
      "evt_names_attr",
      '{"entityType":"product","entityKey":"NAMES-3","attributes":{"title":"T","__proto__":{"x":"1"}}}',
    );
    expect(attribute).toMatchObject([{ outcome: "rejected", reason: "attributes.__proto__: unknown field __proto__" }]);
    // Where the envelope itself is checked (the canonical webhook), the delivery is refused at once.
    const body = Buffer.from(
      `{"id":"evt_names_field","type":"product.updated","created":${Math.floor(Date.now() / 1000)},"data":[{"entityType":"product","entityKey":"NAMES-4","constructor":"x","attributes":{"title":"T"}}]}`,
    );
    const secret = sandbox.secrets.current("vendor-sync/canonical/webhook");
    const refused = await sandbox.ingest(
      webhookEvent("canonical", body, {
        "content-type": "application/json",
        "stripe-signature": stripeSignature(secret, body, Math.floor(Date.now() / 1000)),
      }),
    );
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body ?? "{}")).toMatchObject({ field: "data.0.constructor" });
  });

  it("rejects a record key holding a lone surrogate, naming the field", async () => {
    const results = await post(
      "evt_surrogate",
      '{"entityType":"product","entityKey":"A\\ud800B","sourceTs":"2026-11-01T00:00:00Z","attributes":{"title":"T"}}',
    );
    expect(results).toMatchObject([
      { outcome: "rejected", reason: "entityKey holds a lone surrogate (U+D800) at character 2: not valid Unicode" },
    ]);
  });
});
