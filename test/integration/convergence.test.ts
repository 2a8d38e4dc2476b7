/**
 * The convergence promise end to end, as an adversary would try it: the bundled Shopify webhook
 * examples, signed and posted to `vendor-sync serve` in three orders each, end in identical records
 * and identical open-conflict sets (docs/conflict-rules.md).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConflictItem } from "../../lambdas/core/ports.ts";
import type { SyncRecord } from "../../lambdas/core/record.ts";
import { forwardedResult } from "../../local/forwarded-cli.ts";
import { tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";

const VENDOR = "shopify-demo";
const example = (name: string) =>
  JSON.parse(readFileSync(repoPath(`examples/webhooks/shopify/${name}.body.json`), "utf8")) as Record<string, unknown>;

/** A running `vendor-sync serve` on its own data directory, driven over HTTP as a vendor and an admin would. */
class Serve {
  #child: ChildProcess | undefined;
  url = "";
  readonly dataDir = tempDir("vendor-sync-converge-");

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [repoPath("bin/vendor-sync.mjs"), "serve", "--port", "0", "--data-dir", this.dataDir],
      {
        cwd: repoPath("."),
      },
    );
    this.#child = child;
    this.url = await new Promise<string>((resolve, reject) => {
      let seen = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /vendor-sync serve: listening on (http:\/\/\S+)/.exec(seen);
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${seen}`)));
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  /** Posts one delivery signed as Shopify signs it, then waits until the processor has taken it. */
  async deliver(delivery: Delivery): Promise<void> {
    const body = Buffer.from(JSON.stringify(delivery.body));
    const secrets = JSON.parse(readFileSync(join(this.dataDir, "secrets.json"), "utf8")) as Record<string, unknown>;
    const secret = secrets[`vendor-sync/${VENDOR}/webhook`];
    const key = typeof secret === "string" ? secret : (secret as { current: string }).current;
    const response = await fetch(`${this.url}/webhooks/${VENDOR}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": delivery.topic,
        "x-shopify-event-id": delivery.eventId,
        "x-shopify-webhook-id": `wh-${delivery.eventId}`,
        ...(delivery.triggeredAt ? { "x-shopify-triggered-at": delivery.triggeredAt } : {}),
        "x-shopify-hmac-sha256": createHmac("sha256", key).update(body).digest("base64"),
      },
      body: new Uint8Array(body),
    });
    expect(response.status, await response.text()).toBe(202);
    for (let i = 0; i < 400; i++) {
      const { queues } = (await this.cli(["dlq", "list", "--json"])) as {
        queues: { queue: string; messages: number }[];
      };
      if (queues.find((q) => q.queue === "realtime")?.messages === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`delivery ${delivery.eventId} was not processed`);
  }

  /** Runs a CLI command inside serve (what `npx vendor-sync` does while serve owns the data directory). */
  async cli(argv: readonly string[]): Promise<unknown> {
    const token = readFileSync(join(this.dataDir, "admin-token"), "utf8").trim();
    const response = await fetch(`${this.url}/_cli`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ argv }),
    });
    const run = forwardedResult(await response.text());
    expect(run.exitCode, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  }

  /** The records of keys, as a user sees them: content, and the time and event they reflect. */
  async records(keys: readonly string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const found = (await this.cli(["records", "--vendor", VENDOR, "--key", key, "--json"])) as
        | SyncRecord[]
        | { records: SyncRecord[] };
      for (const r of Array.isArray(found) ? found : found.records) {
        out[`${r.entityType} ${r.entityKey}`] = {
          attributes: r.attributes,
          deleted: r.deleted,
          ...(r.deleted ? { deletedAt: r.deletedAt } : {}),
          sourceTs: r.sourceTs,
          lastEventId: r.lastEventId,
        };
      }
    }
    return out;
  }

  /** Open conflicts of the given keys, as `conflict id → held event`. */
  async openConflicts(keys: readonly string[]): Promise<string[]> {
    const { conflicts } = (await this.cli(["conflicts", "list", "--vendor", VENDOR, "--json"])) as {
      conflicts: ConflictItem[];
    };
    return conflicts
      .filter((c) => keys.includes(c.entityKey))
      .map((c) => `${c.entityType} ${c.entityKey} held ${c.incoming.eventId}`)
      .sort();
  }
}

interface Delivery {
  readonly topic: string;
  readonly eventId: string;
  readonly body: unknown;
  readonly triggeredAt?: string;
}

/**
 * The bundled products/update, at another time and price (every variant). `as` gives the product
 * another identity (id, handle, SKU), so cases share a serve without sharing records.
 */
function productUpdate(eventId: string, updatedAt: string, price: string, as = ""): Delivery {
  const body = example("products-update");
  body.updated_at = updatedAt;
  body.id = (body.id as number) + (as ? 1 : 0);
  body.handle = `${body.handle}${as}`;
  body.variants = (body.variants as Record<string, unknown>[]).map((v) => ({
    ...v,
    updated_at: updatedAt,
    price,
    ...(v.sku ? { sku: `${v.sku}${as.toUpperCase()}` } : {}),
  }));
  return { topic: "products/update", eventId, body };
}

/** The bundled inventory_levels/update, at another time and level. */
function inventoryLevel(eventId: string, updatedAt: string, available: number): Delivery {
  return {
    topic: "inventory_levels/update",
    eventId,
    body: { ...example("inventory_levels-update"), updated_at: updatedAt, available },
  };
}

const productKeys = (as = "") => [
  `classic-varsity-top${as}`,
  `CVT-SM-GRY${as.toUpperCase()}`,
  `classic-varsity-top${as}/Medium`,
  `classic-varsity-top${as}/Large`,
];
const LEVEL_KEYS = ["49371538125057@71234568193"];

/** Three serves, one per order: each case delivers its i-th order to the i-th serve. */
const serves = [new Serve(), new Serve(), new Serve()];
beforeAll(() => Promise.all(serves.map((serve) => serve.start())), 60_000);
afterAll(() => Promise.all(serves.map((serve) => serve.stop())));

/** Runs the same deliveries in each order, each on its own serve; returns what each order left. */
async function inEveryOrder(orders: readonly (readonly Delivery[])[], keys: readonly string[]) {
  return Promise.all(
    orders.map(async (order, i) => {
      const serve = serves[i] as Serve;
      for (const delivery of order) await serve.deliver(delivery);
      return { records: await serve.records(keys), open: await serve.openConflicts(keys) };
    }),
  );
}

describe("convergence through vendor-sync serve (bundled Shopify webhooks, three orders each)", () => {
  it("delete before create: the product's 10 records end deleted, with the delete's time and event id, in every order", async () => {
    const u1 = productUpdate("u1", "2025-03-14T05:26:52-04:00", "60.00");
    const u2 = productUpdate("u2", "2025-03-14T06:00:00-04:00", "60.00");
    const del: Delivery = {
      topic: "products/delete",
      eventId: "d3",
      body: example("products-delete"),
      triggeredAt: "2025-03-14T12:00:00Z",
    };
    const ends = await inEveryOrder(
      [
        [u1, u2, del],
        [del, u1, u2],
        [u2, del, u1],
      ],
      productKeys(),
    );
    const first = ends[0]?.records as Record<string, { deleted: boolean; deletedAt: number; lastEventId: string }>;
    expect(Object.keys(first)).toHaveLength(10);
    for (const record of Object.values(first)) {
      expect(record).toMatchObject({
        deleted: true,
        deletedAt: Date.parse("2025-03-14T12:00:00Z"),
        lastEventId: "products/delete:d3",
      });
    }
    expect(ends[1]).toEqual(ends[0]);
    expect(ends[2]).toEqual(ends[0]);
  }, 120_000);

  it("A-B-A: an inventory level 5 → 4 → 5 ends at 5 with the third event's time and id, in every order", async () => {
    const a1 = inventoryLevel("l1", "2025-03-14T05:27:04-04:00", 5);
    const b2 = inventoryLevel("l2", "2025-03-14T05:28:04-04:00", 4);
    const a3 = inventoryLevel("l3", "2025-03-14T05:29:04-04:00", 5);
    const ends = await inEveryOrder(
      [
        [a1, b2, a3],
        [a1, a3, b2],
        [b2, a3, a1],
      ],
      LEVEL_KEYS,
    );
    expect(ends[0]?.records).toEqual({
      "inventory 49371538125057@71234568193": {
        attributes: { available: 5, locationId: "71234568193" },
        deleted: false,
        sourceTs: Date.parse("2025-03-14T05:29:04-04:00"),
        lastEventId: "inventory_levels/update:l3",
      },
    });
    expect(ends[1]).toEqual(ends[0]);
    expect(ends[2]).toEqual(ends[0]);
  }, 120_000);

  it("price guard: 50.00 → 120.00 → 55.00 ends at 55.00 with no open conflict, in every order", async () => {
    const p1 = productUpdate("p1", "2025-03-14T05:26:52-04:00", "50.00", "-pg");
    const p2 = productUpdate("p2", "2025-03-14T06:00:00-04:00", "120.00", "-pg");
    const p3 = productUpdate("p3", "2025-03-14T07:00:00-04:00", "55.00", "-pg");
    const ends = await inEveryOrder(
      [
        [p1, p2, p3],
        [p2, p1, p3],
        [p1, p3, p2],
      ],
      productKeys("-pg"),
    );
    const prices = Object.entries(ends[0]?.records ?? {}).filter(([key]) => key.startsWith("price "));
    expect(prices).toHaveLength(3);
    for (const [, price] of prices) {
      expect(price).toMatchObject({ attributes: { amount: 5500 }, lastEventId: "products/update:p3" });
    }
    expect(ends[0]?.open).toEqual([]);
    expect(ends[1]).toEqual(ends[0]);
    expect(ends[2]).toEqual(ends[0]);
    // Where the 120.00 change was held (orders 1 and 2), its conflict was closed as superseded.
    for (const serve of serves.slice(0, 2)) {
      const { conflicts } = (await serve.cli(["conflicts", "list", "--vendor", VENDOR, "--superseded", "--json"])) as {
        conflicts: ConflictItem[];
      };
      expect(conflicts.filter((c) => c.entityType === "price").map((c) => c.incoming.eventId)).toEqual([
        "products/update:p2",
        "products/update:p2",
        "products/update:p2",
      ]);
    }
  }, 120_000);
});
