/**
 * kill -9 of `vendor-sync serve` during a burst of signed webhook deliveries, at random points, then a
 * restart, with the vendor retrying every delivery it got no 2xx for: every accepted event ends
 * applied exactly once, and nothing is left queued or dead-lettered.
 */

import pLimit from "p-limit";
import { afterEach, describe, expect, it } from "vitest";
import { silentLog } from "../../lambdas/core/ports.ts";
import { openSandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";
import { type ServeProcess, sandboxSecret, startServe } from "../support/serve-process.ts";
import { stripeSignature } from "../support/webhooks.ts";
import { between, LARGE_SCALE } from "./scale.ts";

const SCALE = LARGE_SCALE
  ? { deliveries: 1_500, kills: 6, concurrency: 24 }
  : { deliveries: 60, kills: 1, concurrency: 8 };
const SECRET = "vendor-sync/canonical/webhook";

interface Delivery {
  readonly eventId: string;
  readonly key: string;
  readonly amount: string;
}

let serve: ServeProcess | undefined;
afterEach(async () => {
  await serve?.kill9();
  serve = undefined;
});

/** Posts one delivery as the vendor does. @returns the HTTP status and Retry-After, or 0 when the connection failed. */
async function post(url: string, secret: string, delivery: Delivery): Promise<{ status: number; retryAfter: number }> {
  const body = Buffer.from(
    JSON.stringify({
      id: delivery.eventId,
      type: "price.updated",
      created: Math.floor(Date.now() / 1000),
      data: [
        {
          entityType: "price",
          entityKey: delivery.key,
          sourceTs: "2026-11-01T00:00:00Z",
          attributes: { amount: delivery.amount },
        },
      ],
    }),
  );
  try {
    const response = await fetch(`${url}/webhooks/canonical`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "stripe-signature": stripeSignature(secret, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: Number(response.headers.get("retry-after") ?? 0) };
  } catch {
    return { status: 0, retryAfter: 0 };
  }
}

describe("serve killed with SIGKILL during a webhook burst", () => {
  it(
    `every accepted delivery of ${SCALE.deliveries} is applied once after ${SCALE.kills} kill(s) and restarts`,
    async () => {
      const dataDir = tempDir();
      serve = await startServe(dataDir);
      const secret = sandboxSecret(dataDir, SECRET);
      const deliveries: Delivery[] = Array.from({ length: SCALE.deliveries }, (_, i) => ({
        eventId: `evt_kill_${i}`,
        key: `KILL-${i}`,
        amount: `${1 + (i % 97)}.${String(i % 100).padStart(2, "0")}`,
      }));
      const accepted = new Set<string>();
      const killedAfter: number[] = [];

      for (let kill = 0; kill < SCALE.kills; kill++) {
        const pending = deliveries.filter((d) => !accepted.has(d.eventId));
        const killAt = between(1, Math.max(1, Math.floor(pending.length / 2)));
        killedAfter.push(killAt);
        const running = serve;
        let answered = 0;
        const limit = pLimit(SCALE.concurrency);
        await Promise.all(
          pending.map((delivery) =>
            limit(async () => {
              const { status } = await post(running.url, secret, delivery);
              if (status >= 200 && status < 300) accepted.add(delivery.eventId);
              if (++answered === killAt) await running.kill9();
            }),
          ),
        );
        await running.kill9();
        serve = await startServe(dataDir);
      }

      // The vendor retries what got no 2xx, honouring Retry-After, until everything is accepted.
      for (let round = 0; accepted.size < deliveries.length; round++) {
        expect(round, `kills after ${killedAfter.join(", ")} answers`).toBeLessThan(5);
        const running = serve;
        let wait = 0;
        const limit = pLimit(SCALE.concurrency);
        await Promise.all(
          deliveries
            .filter((d) => !accepted.has(d.eventId))
            .map((delivery) =>
              limit(async () => {
                const { status, retryAfter } = await post(running.url, secret, delivery);
                if (status >= 200 && status < 300) accepted.add(delivery.eventId);
                else wait = Math.max(wait, retryAfter);
              }),
            ),
        );
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
      }
      expect(await serve.stop()).toBe(0);
      serve = undefined;

      // Whatever serve had not processed yet is processed by the next owner of the data directory.
      const sandbox = await openSandbox({ dataDir, command: "test", log: silentLog });
      try {
        await sandbox.realtimeDriver.drain();
        const wrong: string[] = [];
        for (const delivery of deliveries) {
          const record = await sandbox.records.get({
            vendorId: "canonical",
            entityType: "price",
            entityKey: delivery.key,
          });
          const [units = "", cents = ""] = delivery.amount.split(".");
          const amount = Number(units) * 100 + Number(cents);
          if (record?.version !== 1 || record.lastEventId !== delivery.eventId || record.attributes.amount !== amount) {
            wrong.push(
              `${delivery.eventId}: ${JSON.stringify(record && { version: record.version, attributes: record.attributes })}`,
            );
          }
        }
        expect(wrong, `kills after ${killedAfter.join(", ")} answers`).toEqual([]);
        expect(await sandbox.realtimeQueue.peek()).toEqual([]);
        expect(await sandbox.realtimeQueue.peek(sandbox.realtimeQueue.deadLetterName)).toEqual([]);
      } finally {
        await sandbox.close();
      }
    },
    LARGE_SCALE ? 600_000 : 90_000,
  );
});
