import { isFinal, type JobItem } from "../../lambdas/core/jobs/job.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import type { PullChannelInput } from "../../lambdas/core/pull/pull-config.ts";
import { parseVendorConfig, type VendorConfig, type VendorConfigInput } from "../../lambdas/core/vendor-config.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";

/** A clock the test moves: every part of the scheduled workflow reads it, and sleeps advance it. */
export class TestClock {
  ms: number;
  /** Every wait the connector asked for, in ms. */
  readonly sleeps: number[] = [];

  constructor(start = Date.parse("2026-03-15T12:00:00Z")) {
    this.ms = start;
  }

  readonly now = (): number => this.ms;

  advance(ms: number): void {
    this.ms += ms;
  }

  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.ms += ms;
  };
}

/** A Shopify REST pull channel against a local fixture server (the fixtures' own page size, 2). */
export function shopifyPull(origin: string, overrides: Partial<PullChannelInput> = {}): PullChannelInput {
  return {
    baseUrl: origin,
    path: "/admin/api/2025-10/products.json",
    secretName: "test/shop-token",
    auth: { type: "api-key-header", header: "X-Shopify-Access-Token" },
    request: { query: { limit: "2" } },
    paging: { style: "link-header" },
    recordsPath: "products",
    incremental: {
      param: "updated_at_min",
      format: "iso-8601-offset",
      timeZone: "America/New_York",
      lookbackSeconds: 300,
    },
    rateLimit: { maxInlineWaitSeconds: 1 },
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    pageTimeoutSeconds: 5,
    format: "shopify-rest",
    ...overrides,
  };
}

/** A validated vendor config for tests. */
export function testVendor(input: Partial<VendorConfigInput> & { id: string }): VendorConfig {
  return parseVendorConfig(
    {
      name: input.id,
      entityTypes: ["product", "price", "inventory", "order"],
      defaultCurrency: "USD",
      timeZone: "America/New_York",
      conflicts: { default: "last-write-wins" },
      ...input,
    },
    `${input.id}.json`,
  );
}

/** An in-memory sandbox whose scheduled workflow runs on `clock`. */
export function openPullSandbox(
  vendors: readonly VendorConfig[],
  clock: TestClock,
  options: { invocationMs?: number; safetyMarginMs?: number } = {},
): Promise<Sandbox> {
  return openSandbox({
    dataDir: undefined,
    command: "test",
    log: silentLog,
    vendors: new Map(vendors.map((vendor) => [vendor.id, vendor])),
    scheduled: {
      now: clock.now,
      connector: { now: clock.now, sleep: clock.sleep, random: () => 0.5 },
      ...options,
    },
  });
}

/**
 * Runs a job to its end the way the sandbox's poller would: drains the sync queue, lets hand-offs
 * finish, and moves the clock to the next delayed follow-up message when one waits.
 *
 * @returns the final job, and how many worker invocations (messages) it took.
 */
export async function runToEnd(
  sandbox: Sandbox,
  jobId: string,
  clock: TestClock,
  maxRounds = 50,
): Promise<{ job: JobItem; invocations: number }> {
  let invocations = 0;
  for (let round = 0; round < maxRounds; round++) {
    let polled = await sandbox.scheduled.syncDriver.pollOnce();
    while (polled > 0) {
      invocations += polled;
      polled = await sandbox.scheduled.syncDriver.pollOnce();
    }
    await sandbox.scheduled.batch.idle();
    const job = await sandbox.scheduled.jobs.get(jobId);
    if (isFinal(job)) return { job, invocations };
    const waiting = await sandbox.scheduled.syncQueue.peek();
    if (waiting.length === 0) return { job, invocations };
    clock.ms = Math.max(clock.ms, Math.min(...waiting.map((message) => message.visibleAt)));
  }
  throw new Error(`job ${jobId} did not end within ${maxRounds} rounds`);
}
