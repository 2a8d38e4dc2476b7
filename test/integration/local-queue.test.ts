import type { SQSEvent } from "aws-lambda";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedDynamo, startEmbeddedDynamo } from "../../local/embedded-dynamodb.ts";
import { LocalQueue, LocalQueueDriver } from "../../local/local-queue.ts";
import { tempDir } from "../support/cli.ts";
import { manualTimers } from "../support/timers.ts";

const VISIBILITY_SECONDS = 30;
const stores: EmbeddedDynamo[] = [];
const drivers: LocalQueueDriver[] = [];

afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.stop();
  for (const store of stores.splice(0)) await store.close();
});

/** A queue on the embedded store with a clock the test moves, and a started driver whose timers it fires. */
async function consumer(
  options: {
    path?: string;
    maxReceiveCount?: number;
    fail?: (event: SQSEvent, queue: LocalQueue) => Promise<boolean>;
    clock?: { ms: number };
  } = {},
) {
  const store = await startEmbeddedDynamo(options.path ? { path: options.path } : {});
  stores.push(store);
  const clock = options.clock ?? { ms: Date.parse("2026-12-01T00:00:00Z") };
  const queue = new LocalQueue({
    client: store.client,
    name: "jobs",
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    now: () => clock.ms,
  });
  const received: { body: string; receiveCount: string | undefined }[] = [];
  const { timers, pending, fire } = manualTimers();
  const driver = new LocalQueueDriver(
    queue,
    async (event) => {
      received.push(
        ...event.Records.map((r) => ({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount })),
      );
      const failed = (await options.fail?.(event, queue)) ?? false;
      return { batchItemFailures: failed ? event.Records.map((r) => ({ itemIdentifier: r.messageId })) : [] };
    },
    { timers },
  );
  drivers.push(driver);
  /** Moves the clock to the one pending wake-up and fires it. */
  const wakeUp = async () => {
    const [next, ...more] = pending();
    expect(more).toEqual([]);
    if (!next) throw new Error("no wake-up is armed");
    clock.ms += next.ms;
    fire(next);
    await driver.idle();
  };
  return { store, queue, driver, received, pending, wakeUp, clock };
}

describe("the sandbox's queue consumer (vendor-sync serve)", () => {
  it("arms no timer while the queue is empty, and processes a message as soon as it is sent", async () => {
    const { queue, driver, received, pending } = await consumer();
    driver.start();
    await driver.idle();
    expect(pending()).toEqual([]);

    await queue.send({ body: "first" });
    await driver.idle();
    expect(received).toEqual([{ body: "first", receiveCount: "1" }]);
    expect(await queue.peek()).toEqual([]);
    expect(pending()).toEqual([]);
  });

  it("wakes when a delayed message becomes visible, not before", async () => {
    const { queue, driver, received, pending, wakeUp } = await consumer();
    driver.start();
    await queue.send({ body: "later", delaySeconds: 5 });
    await driver.idle();
    expect(received).toEqual([]);
    expect(pending().map((t) => t.ms)).toEqual([5_000]);

    await wakeUp();
    expect(received).toEqual([{ body: "later", receiveCount: "1" }]);
    expect(pending()).toEqual([]);
  });

  it("redelivers a failed message when its visibility timeout expires, and one changed by the consumer when that expires", async () => {
    let attempt = 0;
    const { queue, driver, received, pending, wakeUp } = await consumer({
      fail: async (event, q) => {
        attempt++;
        // The second attempt backs off as the processor does: ChangeMessageVisibility to 2 s.
        if (attempt === 2) await q.changeVisibility(event.Records[0]?.receiptHandle ?? "", 2);
        return attempt <= 2;
      },
    });
    driver.start();
    await queue.send({ body: "flaky" });
    await driver.idle();
    expect(pending().map((t) => t.ms)).toEqual([VISIBILITY_SECONDS * 1000]);

    await wakeUp();
    expect(pending().map((t) => t.ms)).toEqual([2_000]);

    await wakeUp();
    expect(received.map((r) => r.receiveCount)).toEqual(["1", "2", "3"]);
    expect(await queue.peek()).toEqual([]);
    expect(pending()).toEqual([]);
  });

  it("dead-letters a message after maxReceiveCount receives and then sleeps; a redrive wakes it", async () => {
    let failing = true;
    const { queue, driver, received, pending, wakeUp } = await consumer({
      maxReceiveCount: 2,
      fail: async () => failing,
    });
    driver.start();
    await queue.send({ body: "poison" });
    await driver.idle();
    await wakeUp();
    await wakeUp();
    expect(received.map((r) => r.receiveCount)).toEqual(["1", "2"]);
    expect((await queue.peek("jobs-dlq")).map((m) => m.body)).toEqual(["poison"]);
    expect(pending()).toEqual([]);

    failing = false;
    expect(await queue.redrive({ sleep: async () => {} })).toBe(1);
    await driver.idle();
    expect(received.map((r) => r.receiveCount)).toEqual(["1", "2", "1"]);
    expect(await queue.peek("jobs-dlq")).toEqual([]);
    expect(pending()).toEqual([]);
  });

  it("after a restart on the same store, delivers what was queued and redelivers what a stopped consumer had received once its visibility expires", async () => {
    const path = tempDir("vendor-sync-queue-");
    const clock = { ms: Date.parse("2026-12-01T00:00:00Z") };
    const before = await consumer({ path, clock });
    await before.queue.send({ body: "in flight" });
    // Received by a consumer that stopped before deleting it (a crash), then one more sent.
    expect(await before.queue.receive(1)).toHaveLength(1);
    await before.queue.send({ body: "queued" });
    await stores.splice(0)[0]?.close();

    const after = await consumer({ path, clock });
    after.driver.start();
    await after.driver.idle();
    expect(after.received).toEqual([{ body: "queued", receiveCount: "1" }]);
    expect(after.pending().map((t) => t.ms)).toEqual([VISIBILITY_SECONDS * 1000]);

    await after.wakeUp();
    expect(after.received.at(-1)).toEqual({ body: "in flight", receiveCount: "2" });
    expect(after.pending()).toEqual([]);
  });
});
