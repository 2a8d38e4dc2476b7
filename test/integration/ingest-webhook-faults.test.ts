/**
 * Fault injection on the ingest path: an attempt stops (timeout, crash) between each pair of its
 * steps — claim, archive, queue, complete — and the vendor retries until it gets a 2xx. Every event
 * answered 2xx is applied exactly once; no stopped attempt was ever answered 2xx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDedupStore } from "../../lambdas/adapters/dynamodb/dedup-store.ts";
import type { DedupStore, ObjectStore, QueueSender } from "../../lambdas/core/ports.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { CLAIM_LEASE_MS } from "../../lambdas/core/realtime/ingest-lease.ts";
import type { ProcessedMessage } from "../../lambdas/core/realtime/webhook-processor.ts";
import { makeHandler as makeIngest } from "../../lambdas/ingest-webhook/ingest-webhook.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { stripeSignature, webhookEvent } from "../support/webhooks.ts";

const STEPS = ["claim", "archive", "queue", "complete"] as const;
type Step = (typeof STEPS)[number];

let sandbox: Sandbox;
const processed: ProcessedMessage[] = [];

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  sandbox.events.on("processed", (p: ProcessedMessage) => processed.push(p));
});
afterAll(async () => {
  await sandbox.close();
});

/** A promise that never settles: the attempt's process stopped while waiting on it. */
const never = () => new Promise<never>(() => {});

/**
 * The ingest function with its ports wrapped so that an attempt can be stopped right after one of
 * its steps, and a clock the test moves (the vendor's retry comes later).
 */
function faultyIngest() {
  let stopAfter: Step | undefined;
  let stopped: (() => void) | undefined;
  let offset = 0;
  const now = () => Date.now() + offset;
  const after = async <T>(step: Step, done: T): Promise<T> => {
    if (stopAfter !== step) return done;
    stopAfter = undefined;
    stopped?.();
    return never();
  };
  const store = new DynamoDedupStore({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync });
  const dedup: DedupStore = {
    claim: async (...args) => after("claim", await store.claim(...args)),
    complete: async (...args) => after("complete", await store.complete(...args)),
    release: (...args) => store.release(...args),
  };
  const files = sandbox.archive;
  const archive: ObjectStore = {
    readLines: (key) => files.readLines(key),
    readText: (key) => files.readText(key),
    writeText: async (key, text) => after("archive", await files.writeText(key, text)),
    openWriter: (key) => files.openWriter(key),
    list: (prefix) => files.list(prefix),
    locate: (key) => files.locate(key),
  };
  const queue: QueueSender = { send: async (message) => after("queue", await sandbox.realtimeQueue.send(message)) };
  const ingest = makeIngest({
    vendors: sandbox.registry,
    secrets: sandbox.secrets,
    dedup,
    archive,
    queue,
    keyIndexFor: () => ({ find: async () => undefined }),
    now,
    sleep: async () => {},
    limits: { inProgressWaitMs: 0 },
  });
  const deliver = (id: string, key: string, amount: string) => {
    const body = Buffer.from(
      JSON.stringify({
        id,
        type: "price.updated",
        created: Math.floor(now() / 1000),
        data: [{ entityType: "price", entityKey: key, sourceTs: "2026-11-01T00:00:00Z", attributes: { amount } }],
      }),
    );
    const signature = stripeSignature(
      sandbox.secrets.current("vendor-sync/canonical/webhook"),
      body,
      Math.floor(now() / 1000),
    );
    return ingest(
      webhookEvent("canonical", body, { "content-type": "application/json", "stripe-signature": signature }),
    );
  };
  return {
    deliver,
    /** Starts an attempt that stops right after `step`: resolves once it has stopped; its answer never comes. */
    stoppedAfter: (step: Step, send: () => Promise<{ statusCode?: number }>) =>
      new Promise<{ answered: boolean }>((resolve) => {
        stopAfter = step;
        stopped = () => resolve({ answered: false });
        void send().then(() => resolve({ answered: true }));
      }),
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

const created = (eventId: string) =>
  processed
    .filter((p) => p.eventId === eventId)
    .flatMap((p) => p.results)
    .filter((r) => r.outcome === "created" || r.outcome === "updated");

describe("ingest — an attempt stopped between two steps, then the vendor's retries", () => {
  it.each(STEPS)("stopped after %s: never answered 2xx, retried until accepted, applied exactly once", async (step) => {
    const ingest = faultyIngest();
    const eventId = `evt_stop_${step}`;
    const key = `STOP-${step}`;
    const first = await ingest.stoppedAfter(step, () => ingest.deliver(eventId, key, "12.34"));
    expect(first.answered).toBe(false);

    // A retry while the stopped attempt's lease runs: 503 with Retry-After, unless it had completed.
    const early = await ingest.deliver(eventId, key, "12.34");
    if (step === "complete") {
      expect(early.statusCode).toBe(202);
      expect(JSON.parse(early.body ?? "{}")).toMatchObject({ duplicate: true });
    } else {
      expect(early.statusCode).toBe(503);
      const retryAfter = Number(early.headers?.["retry-after"]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(CLAIM_LEASE_MS / 1000);
      ingest.advance(retryAfter * 1000);
      // After the lease: the retry takes the claim over and queues the event.
      const late = await ingest.deliver(eventId, key, "12.34");
      expect(late.statusCode).toBe(202);
    }
    // Any further retry is a duplicate.
    const again = await ingest.deliver(eventId, key, "12.34");
    expect(JSON.parse(again.body ?? "{}")).toMatchObject({ eventId, duplicate: true });

    await sandbox.realtimeDriver.drain();
    expect(created(eventId)).toHaveLength(1);
    const record = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: key });
    expect(record).toMatchObject({ version: 1, lastEventId: eventId, attributes: { amount: 1234, currency: "USD" } });
    expect(await sandbox.realtimeQueue.peek()).toEqual([]);
  });

  it("applies every accepted event of a burst once, whichever step each first attempt stopped after", async () => {
    const ingest = faultyIngest();
    const events = Array.from({ length: 24 }, (_, i) => ({
      eventId: `evt_burst_${i}`,
      key: `BURST-${i}`,
      stop: i % 5 === 4 ? undefined : STEPS[i % 4],
    }));
    const accepted = new Set<string>();
    for (const event of events) {
      const send = () => ingest.deliver(event.eventId, event.key, `${event.key.length}.00`);
      if (!event.stop) {
        if ((await send()).statusCode === 202) accepted.add(event.eventId);
      } else {
        expect((await ingest.stoppedAfter(event.stop, send)).answered).toBe(false);
      }
    }
    // The vendor retries whatever it got no 2xx for, honouring Retry-After, until every event is accepted.
    for (let round = 0; accepted.size < events.length; round++) {
      expect(round).toBeLessThan(3);
      let wait = 0;
      for (const event of events.filter((e) => !accepted.has(e.eventId))) {
        const answer = await ingest.deliver(event.eventId, event.key, `${event.key.length}.00`);
        if (answer.statusCode === 202) accepted.add(event.eventId);
        else wait = Math.max(wait, Number(answer.headers?.["retry-after"]) * 1000);
      }
      ingest.advance(wait);
    }
    await sandbox.realtimeDriver.drain();
    for (const event of events) expect(created(event.eventId), event.eventId).toHaveLength(1);
  });
});

describe("DynamoDedupStore — claim tokens and sessions", () => {
  const table = () => ({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync });

  it("an attempt that outlived its lease can neither complete nor release the claim that took it over", async () => {
    const store = new DynamoDedupStore(table());
    const t0 = Date.now();
    const slow = await store.claim("canonical", "evt_slow", t0, 1000);
    expect(slow.state).toBe("acquired");
    expect((await store.claim("canonical", "evt_slow", t0 + 500, 1000)).state).toBe("in-progress");
    const takeover = await store.claim("canonical", "evt_slow", t0 + 1001, 1000);
    expect(takeover.state).toBe("acquired");
    if (slow.state !== "acquired" || takeover.state !== "acquired") return;
    await store.release("canonical", "evt_slow", slow.token);
    expect(await store.claim("canonical", "evt_slow", t0 + 1002, 1000)).toMatchObject({
      state: "in-progress",
      leaseUntil: t0 + 2001,
    });
    expect(await store.complete("canonical", "evt_slow", slow.token, t0 + 1003, 60_000)).toBe(false);
    expect(await store.complete("canonical", "evt_slow", takeover.token, t0 + 1003, 60_000)).toBe(true);
    expect((await store.claim("canonical", "evt_slow", t0 + 5000, 1000)).state).toBe("completed");
  });

  it("with a session, a claim made under an earlier session is taken over at once (its process is gone)", async () => {
    const now = Date.now();
    const before = new DynamoDedupStore({ ...table(), session: "earlier" });
    const after = new DynamoDedupStore({ ...table(), session: "later" });
    expect((await before.claim("canonical", "evt_session", now, 60_000)).state).toBe("acquired");
    expect((await before.claim("canonical", "evt_session", now + 1, 60_000)).state).toBe("in-progress");
    expect((await after.claim("canonical", "evt_session", now + 2, 60_000)).state).toBe("acquired");
    expect((await after.claim("canonical", "evt_session", now + 3, 60_000)).state).toBe("in-progress");
  });
});
