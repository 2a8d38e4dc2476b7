import * as v from "valibot";
import {
  type PullCheckpoint,
  type PulledPage,
  type PullResult,
  VendorHttpConnector,
} from "../../../lambdas/adapters/vendor-http/index.ts";
import { type PullChannelInput, PullChannelSchema } from "../../../lambdas/core/pull/pull-config.ts";

/** A clock the test moves: sleeps advance it instead of waiting. */
export class FakeClock {
  constructor(public ms = Date.parse("2025-03-15T12:00:00Z")) {}
  readonly now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Secrets the fake secret store holds (placeholders, as in the fixtures). */
export const SECRETS: Readonly<Record<string, string>> = {
  "shopify-token": "shpat_test_NOT_REAL",
  "woo-keys": "test_ck_NOT_REAL:test_cs_NOT_REAL",
  "bigcommerce-token": "test_NOT_REAL",
  "akeneo-token": "test_NOT_REAL",
  "ct-client": JSON.stringify({ clientId: "vendor-sync", clientSecret: "test_NOT_REAL" }),
};

export interface Harness {
  readonly connector: VendorHttpConnector;
  readonly clock: FakeClock;
  /** Every wait the connector asked for, in ms. */
  readonly sleeps: number[];
  readonly secretReads: string[];
}

/** Builds a connector whose sleeps return at once (recorded, advancing the fake clock) and whose jitter is 0.5. */
export function harness(input: PullChannelInput, clock = new FakeClock()): Harness {
  const sleeps: number[] = [];
  const secretReads: string[] = [];
  const channel = v.parse(PullChannelSchema, input);
  const connector = new VendorHttpConnector(channel, {
    secrets: async (name) => {
      secretReads.push(name);
      const secret = SECRETS[name];
      if (secret === undefined) throw new Error(`no secret ${name}`);
      return secret;
    },
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    random: () => 0.5,
  });
  return { connector, clock, sleeps, secretReads };
}

/** One invocation's pages and result. */
export interface Invocation {
  readonly pages: PulledPage[];
  readonly result: PullResult;
}

/** Runs one invocation, collecting pages; the deadline defaults to an hour ahead of the clock. */
export async function invoke(
  h: Harness,
  checkpoint: PullCheckpoint | undefined,
  options: { deadline?: number; watermark?: number } = {},
): Promise<Invocation> {
  const pages: PulledPage[] = [];
  const result = await h.connector.pull(checkpoint, {
    deadline: options.deadline ?? h.clock.now() + 3_600_000,
    ...(options.watermark === undefined ? {} : { watermark: options.watermark }),
    onPage: (page) => {
      pages.push(page);
    },
  });
  return { pages, result };
}

/** Records of every page, flattened. */
export function recordsOf(pages: readonly PulledPage[]): unknown[] {
  return pages.flatMap((page) => page.records);
}

/** A checkpoint as it comes back out of an SQS message body. */
export function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
