import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTableKey } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { makeHandler } from "../../lambdas/admin-operations/admin-operations.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import type { ProcessedMessage } from "../../lambdas/core/realtime/webhook-processor.ts";
import { runWith } from "../../local/cli.ts";
import { sandboxAdminDeps } from "../../local/commands/operations.ts";
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

async function deliver(id: string, key: string, amount: string) {
  const body = Buffer.from(
    JSON.stringify({
      id,
      type: "price.updated",
      created: Math.floor(Date.now() / 1000),
      data: [{ entityType: "price", entityKey: key, sourceTs: "2026-11-10T00:00:00Z", attributes: { amount } }],
    }),
  );
  const secret = sandbox.secrets.current("vendor-sync/canonical/webhook");
  const response = await sandbox.ingest(
    webhookEvent("canonical", body, {
      "content-type": "application/json",
      "stripe-signature": stripeSignature(secret, body, Math.floor(Date.now() / 1000)),
    }),
  );
  expect(response.statusCode).toBe(202);
  await sandbox.realtimeDriver.drain();
}

describe("vendor-sync replay", () => {
  it("re-runs archived deliveries through the write path and changes nothing already applied", async () => {
    await deliver("evt_r1", "R-1", "10");
    await deliver("evt_r2", "R-2", "20");
    const before = await sandbox.records.getMany([
      { vendorId: "canonical", entityType: "price", entityKey: "R-1" },
      { vendorId: "canonical", entityType: "price", entityKey: "R-2" },
    ]);
    processed.length = 0;
    const result = await replayArchived(sandbox, { vendorId: "canonical" });
    await sandbox.realtimeDriver.drain();
    expect(result).toMatchObject({ vendorId: "canonical", found: 2, queued: 2, unmappable: [] });
    expect(processed.flatMap((p) => p.results.map((r) => r.outcome)).sort()).toEqual(["unchanged", "unchanged"]);
    for (const record of before.values()) {
      expect((await sandbox.records.get(record))?.version).toBe(record.version);
    }
  });

  it("replays only deliveries received in the window", async () => {
    const result = await replayArchived(sandbox, {
      vendorId: "canonical",
      since: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(result).toMatchObject({ found: 0, queued: 0 });
  });

  it("restores a record from the archive after it was lost (a table restore to an older point)", async () => {
    const key = { vendorId: "canonical", entityType: "price" as const, entityKey: "R-1" };
    const stored = await sandbox.records.get(key);
    // Simulate a restore to a point before the delivery: the record is gone.
    await sandbox.dynamo.client.send(
      new (await import("@aws-sdk/client-dynamodb")).DeleteItemCommand({
        TableName: sandbox.dynamo.tables.records,
        Key: Object.fromEntries(Object.entries(recordTableKey(key)).map(([name, value]) => [name, { S: value }])),
      }),
    );
    await replayArchived(sandbox, { vendorId: "canonical" });
    await sandbox.realtimeDriver.drain();
    expect((await sandbox.records.get(key))?.attributes).toEqual(stored?.attributes);
  });

  it("fails for a vendor without a webhook channel", async () => {
    await expect(replayArchived(sandbox, { vendorId: "magento-luma" })).rejects.toThrow(/has no webhook channel/);
  });

  it("dry-runs from the CLI: counts what would be replayed and applies nothing", async () => {
    processed.length = 0;
    let out = "";
    const code = await runWith(["replay", "--vendor", "canonical", "--dry-run", "--json"], {
      io: { out: (t) => (out += t), err: () => {}, interactive: false },
      sandbox,
    });
    await sandbox.realtimeDriver.drain();
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ vendorId: "canonical", dryRun: true, found: 2, queued: 0, calls: 1 });
    expect(processed).toEqual([]);
  });

  it("replays through the admin API route with the window in the body", async () => {
    const handler = makeHandler(sandboxAdminDeps(sandbox));
    const response = (await handler({
      version: "2.0",
      routeKey: "POST /admin/vendors/{vendorId}/replay",
      rawPath: "/admin/vendors/canonical/replay",
      rawQueryString: "",
      headers: {},
      pathParameters: { vendorId: "canonical" },
      body: JSON.stringify({ since: "2000-01-01T00:00:00Z", until: "not a time" }),
      isBase64Encoded: false,
      requestContext: { authorizer: { iam: { userArn: "arn:aws:iam::123456789012:user/alice" } } },
    })) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/until/);
  });

  it("names the option when a time is not ISO 8601, and replays nothing", async () => {
    processed.length = 0;
    let err = "";
    const code = await runWith(["replay", "--vendor", "canonical", "--since", "yesterday"], {
      io: { out: () => {}, err: (t) => (err += t), interactive: false },
      sandbox,
    });
    await sandbox.realtimeDriver.drain();
    expect(code).toBe(1);
    expect(err).toContain('--since: not an ISO 8601 time: "yesterday"');
    expect(processed).toEqual([]);
  });
});
