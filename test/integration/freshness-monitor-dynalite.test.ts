import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syncKeys } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { FreshnessReadError, makeHandler } from "../../lambdas/freshness-monitor/freshness-monitor.ts";
import { startTestDynamo, stores } from "../support/dynamo.ts";
import { captureEmf, valuesOf } from "../support/emf.ts";

let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;
// A recent instant, so CloudWatch's timestamp window (and Powertools' check of it) accepts the metrics.
const NOW = Math.floor(Date.now() / 1000) * 1000;
const MIN = 60_000;

const vendors = [
  { id: "acme", enabled: true },
  { id: "globex", enabled: true },
  { id: "initech", enabled: true },
  { id: "retired", enabled: false },
];

beforeAll(async () => {
  dynamo = await startTestDynamo();
  const { sync, client } = stores(dynamo);
  await sync.recordSync("acme", { finishedAt: NOW - 5 * MIN, newestSourceTs: NOW - 42 * MIN });
  await sync.recordSync("globex", { finishedAt: NOW - 600 * MIN, newestSourceTs: NOW - 900 * MIN });
  await sync.recordSync("retired", { finishedAt: NOW - 9000 * MIN });
  // The pause command comes with vendor pause (issue 6, item 6); until then, set the flag as it will.
  await client.send(
    new PutItemCommand({
      TableName: dynamo.tables.sync,
      Item: marshall({
        ...syncKeys.vendorState("globex"),
        vendorId: "globex",
        paused: true,
        lastSuccessAt: NOW - 600 * MIN,
        newestSourceTs: NOW - 900 * MIN,
      }),
    }),
  );
});
afterAll(async () => {
  await dynamo.close();
});

describe("freshness monitor on the embedded DynamoDB", () => {
  it("publishes each enabled vendor's freshness from the sync table: ages when active, only the pause flag when paused", async () => {
    const { sync } = stores(dynamo);
    const monitor = makeHandler({ vendors, getVendorState: (id) => sync.getVendorState(id), now: () => NOW });

    let result: Awaited<ReturnType<typeof monitor>> | undefined;
    const docs = await captureEmf(async () => {
      result = await monitor({ "detail-type": "Scheduled Event" });
    });

    expect(docs.map((doc) => [doc.VendorId, valuesOf(doc)])).toEqual([
      ["acme", { VendorPaused: 0, FreshnessAgeSeconds: 42 * 60, TimeSinceLastSyncSeconds: 5 * 60 }],
      ["globex", { VendorPaused: 1 }],
      ["initech", { VendorPaused: 0 }],
    ]);
    expect(docs.every((doc) => doc._aws.Timestamp === NOW)).toBe(true);
    expect(result?.failed).toEqual([]);
    expect(result?.readings.find((r) => r.vendorId === "initech")?.neverSynced).toBe(true);
  });

  it("fails the run after publishing the vendors it could read, so the unreadable one goes silent and the run counts as an error", async () => {
    const { sync } = stores(dynamo);
    const monitor = makeHandler({
      vendors,
      getVendorState: (id) => (id === "initech" ? Promise.reject(new Error("throttled")) : sync.getVendorState(id)),
      now: () => NOW,
    });

    let error: unknown;
    const docs = await captureEmf(async () => {
      error = await monitor({}).catch((e: unknown) => e);
    });

    expect(error).toBeInstanceOf(FreshnessReadError);
    expect((error as FreshnessReadError).vendorIds).toEqual(["initech"]);
    expect(docs.map((doc) => doc.VendorId)).toEqual(["acme", "globex"]);
  });
});
