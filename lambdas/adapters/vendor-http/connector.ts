import { setTimeout as delay } from "node:timers/promises";
import { contentHash } from "../../core/content-hash.ts";
import { TransientError, ValidationError } from "../../core/errors.ts";
import type {
  PulledPage as CorePulledPage,
  PullOptions as CorePullOptions,
  PullResult as CorePullResult,
  PullStopReason,
} from "../../core/pull/connector.ts";
import { selectOne, selectRecords } from "../../core/pull/json-path.ts";
import type { PullChannel } from "../../core/pull/pull-config.ts";
import { Authenticator, endpointOf, type SecretPort, TokenCache } from "./auth.ts";
import { type PullCheckpoint, type PullPosition, parseCheckpoint, SEEN_LIMIT } from "./checkpoint.ts";
import { PagingLoopError, VendorHttpError } from "./errors.ts";
import { PageFetch, type PageOutcome } from "./page-fetch.ts";
import { buildRequest, firstPosition, nextPosition, type PreparedRequest } from "./paging.ts";
import { pauseAfterMs } from "./rate-limit.ts";
import { formatWatermark } from "./watermark.ts";

/** What the connector needs from outside. Everything but `secrets` has a real default; tests inject fakes. */
export interface VendorHttpConnectorDeps {
  /** Reads the channel's secret by name. */
  readonly secrets: SecretPort;
  /** @default globalThis.fetch (undici) */
  readonly fetch?: typeof fetch;
  /** Current time, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** Waits `ms`; rejects when `signal` aborts. @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform [0, 1) for backoff jitter. @default Math.random */
  readonly random?: () => number;
}

/** One page handed to the caller. */
export type PulledPage = CorePulledPage<PullCheckpoint>;
/** Per-invocation options of {@link VendorHttpConnector.pull}. */
export type PullOptions = CorePullOptions<PullCheckpoint>;
/** The outcome of one invocation. */
export type PullResult = CorePullResult<PullCheckpoint>;

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

function fingerprint(position: PullPosition): string {
  return JSON.stringify(position);
}

/**
 * The HTTP JSON pull connector: reads one vendor list endpoint page by page as its `channels.pull`
 * config describes (auth, paging, records path, incremental filter, rate limits), and hands over a
 * {@link PullCheckpoint} whenever it must stop before the end, so a pull survives Lambda time limits
 * and long rate-limit waits instead of failing and starting over.
 *
 * Per page: the page timeout bounds request and body; 5xx, 408, timeouts and network errors are
 * retried with exponential backoff and full jitter (`random(0, min(cap, base × 2^n))`); 429 and
 * GraphQL `THROTTLED` replies wait what the vendor asks (`Retry-After` in seconds or as a date,
 * `X-Rate-Limit-Time-Reset-Ms`, query-cost restore time) when that is short, else end the invocation
 * with a checkpoint; leaky-bucket headers pace the next request. A position seen before in the run
 * stops the pull with {@link PagingLoopError}.
 *
 * Create one per vendor at module scope so OAuth tokens are reused across invocations.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (full jitter)
 */
export class VendorHttpConnector {
  readonly #channel: PullChannel;
  readonly #secrets: SecretPort;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #tokens = new TokenCache();

  /** @param channel - the vendor's validated `channels.pull`. */
  constructor(channel: PullChannel, deps: VendorHttpConnectorDeps) {
    this.#channel = channel;
    this.#secrets = deps.secrets;
    this.#fetch = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#now = deps.now ?? Date.now;
    this.#sleep = deps.sleep ?? defaultSleep;
    this.#random = deps.random ?? Math.random;
  }

  /**
   * Runs (or continues) a pull until the last page, the deadline, `maxPagesPerInvocation`, or a rate
   * limit too long to wait out.
   *
   * @param checkpoint - from a previous {@link PullResult} or {@link PulledPage} (parsed JSON is fine);
   *   `undefined` starts a new run.
   * @throws {PagingLoopError} when the vendor's paging repeats itself.
   * @throws {VendorUnavailableError} (transient, with a checkpoint) when a page keeps failing after
   *   `retry.maxAttempts` attempts.
   * @throws {VendorHttpError} / {@link VendorAuthError} (validation) for 4xx answers, refused
   *   credentials, non-JSON bodies or a records path that does not match.
   * @throws {CheckpointMismatchError} for a checkpoint of another paging style.
   */
  async pull(checkpoint: PullCheckpoint | undefined, options: PullOptions): Promise<PullResult> {
    const channel = this.#channel;
    let state: PullCheckpoint = checkpoint
      ? parseCheckpoint(checkpoint, channel.paging.style)
      : this.#newRun(options.watermark);
    const auth = new Authenticator(channel.auth, channel.secretName, {
      secrets: this.#secrets,
      fetch: this.#fetch,
      now: this.#now,
      tokens: this.#tokens,
    });
    const since =
      channel.incremental && state.sinceMs !== undefined
        ? channel.incremental.template.replaceAll(
            "{value}",
            formatWatermark(state.sinceMs, channel.incremental.format, channel.incremental.timeZone),
          )
        : undefined;
    let pages = 0;
    let records = 0;
    let pauseMs = 0;
    const partial = (reason: PullStopReason, retryAfterMs?: number): PullResult => ({
      status: "partial",
      reason,
      pages,
      records,
      checkpoint: state,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

    for (;;) {
      if (pages >= channel.maxPagesPerInvocation) return partial("max-pages");
      const position = fingerprint(state.next);
      if (state.seen.includes(position)) {
        throw new PagingLoopError(
          `paging loop: the vendor sent a next position already requested in this run (${position}) after page ${state.pagesFetched}; stopping instead of fetching it again`,
          { position, pagesFetched: state.pagesFetched },
        );
      }
      if (pauseMs > 0) {
        if (!this.#fits(pauseMs, options.deadline)) return partial("rate-limited", pauseMs);
        await this.#sleep(pauseMs, options.signal);
      }
      const requestedAt = this.#now();
      const outcome = await this.#fetchPage(
        buildRequest(channel, state.next, since),
        (body) => selectRecords(body, channel.recordsPath),
        state,
        auth,
        options,
      );
      if (outcome.kind === "stop") return partial(outcome.reason, outcome.retryAfterMs);
      const { page } = outcome;
      const next = nextPosition(channel, state.next, page);
      const hash = page.records.length > 0 ? contentHash(page.records) : undefined;
      if (hash !== undefined && hash === state.lastPageHash) {
        throw new PagingLoopError(
          `paging loop: page ${state.pagesFetched + 1} (${position}) holds exactly the records of the page before; the API seems to ignore the paging parameter`,
          { position, pagesFetched: state.pagesFetched },
        );
      }
      state = {
        ...state,
        next: next ?? {},
        pagesFetched: state.pagesFetched + 1,
        recordsFetched: state.recordsFetched + page.records.length,
        seen: [...state.seen, position].slice(-SEEN_LIMIT),
        ...(hash === undefined ? {} : { lastPageHash: hash }),
      };
      pages += 1;
      records += page.records.length;
      await options.onPage({
        records: page.records,
        pageNumber: state.pagesFetched,
        checkpoint: next ? state : undefined,
      });
      if (!next) {
        return {
          status: "complete",
          pages,
          records,
          watermark: state.startedAt,
          totalPages: state.pagesFetched,
          totalRecords: state.recordsFetched,
        };
      }
      const spacing = requestedAt + channel.rateLimit.minIntervalMs - this.#now();
      pauseMs = Math.max(pauseAfterMs(page.headers, page.body, channel.rateLimit), spacing, 0);
    }
  }

  #newRun(watermark: number | undefined): PullCheckpoint {
    const channel = this.#channel;
    const sinceMs =
      channel.incremental && watermark !== undefined
        ? watermark - channel.incremental.lookbackSeconds * 1000
        : undefined;
    return {
      version: 1,
      style: channel.paging.style,
      next: firstPosition(channel),
      ...(sinceMs === undefined ? {} : { sinceMs }),
      startedAt: this.#now(),
      pagesFetched: 0,
      recordsFetched: 0,
      seen: [],
    };
  }

  /** Whether a wait of `ms` may happen inside this invocation (short enough, and a page still fits after it). */
  #fits(ms: number, deadline: number): boolean {
    return (
      ms <= this.#channel.rateLimit.maxInlineWaitSeconds * 1000 &&
      this.#now() + ms + this.#channel.pageTimeoutSeconds * 1000 <= deadline
    );
  }

  /** Full jitter: uniform in [0, min(cap, base × 2^(attempt−1))]. */
  #backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.#channel.retry;
    return Math.round(this.#random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
  }

  /**
   * Reads one resource by id (`channels.pull.resources[type]`), with the channel's auth, retries and
   * rate-limit waits, for thin webhook notifications.
   *
   * @param ids - `id`, and `productId` for resources addressed under a product.
   * @returns the record(s) at the resource's `recordPath` (an object answer becomes one record), or
   *   `undefined` when the vendor answers 404 (the resource is gone).
   * @throws {VendorHttpError} for an unconfigured resource type, other 4xx answers or a bad body.
   * @throws {VendorUnavailableError} when the vendor keeps failing, or {@link TransientError} when a
   *   rate limit asks for a longer wait than fits.
   */
  async fetchResource(
    type: string,
    ids: { readonly id: string; readonly productId?: string },
    options: { readonly deadline: number; readonly signal?: AbortSignal },
  ): Promise<unknown[] | undefined> {
    const channel = this.#channel;
    const resource = channel.resources[type];
    const endpoint = `${channel.baseUrl.replace(/\/+$/, "")}${channel.path}`;
    if (!resource) {
      throw new VendorHttpError(`no channels.pull.resources.${type} is configured to read a ${type} by id`, {
        endpoint,
      });
    }
    if (resource.path.includes("{productId}") && ids.productId === undefined) {
      throw new VendorHttpError(`reading a ${type} needs the id of its product`, { endpoint });
    }
    const path = resource.path
      .replaceAll("{id}", encodeURIComponent(ids.id))
      .replaceAll("{productId}", encodeURIComponent(ids.productId ?? ""));
    const url = new URL(`${channel.baseUrl.replace(/\/+$/, "")}${path}`);
    const auth = new Authenticator(channel.auth, channel.secretName, {
      secrets: this.#secrets,
      fetch: this.#fetch,
      now: this.#now,
      tokens: this.#tokens,
    });
    const pullOptions: PullOptions = { ...options, onPage: () => {} };
    let outcome: PageOutcome;
    try {
      outcome = await this.#fetchPage(
        { url: url.href, method: "GET" },
        (body) => {
          const found = selectOne(body, resource.recordPath);
          if (found === undefined || found === null) {
            throw new ValidationError(`record path ${resource.recordPath} matched nothing in the response`);
          }
          return Array.isArray(found) ? found : [found];
        },
        this.#newRun(undefined),
        auth,
        pullOptions,
      );
    } catch (error) {
      if (error instanceof VendorHttpError && error.status === 404) return undefined;
      throw error;
    }
    if (outcome.kind === "stop") {
      throw new TransientError(`${endpointOf(url.href)}: ${outcome.reason}; try again later`, {
        ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
      });
    }
    return [...outcome.page.records];
  }

  /** Fetches one page (`request`), retrying and waiting as the class comment describes. */
  #fetchPage(
    request: PreparedRequest,
    select: (body: unknown) => unknown[],
    state: PullCheckpoint,
    auth: Authenticator,
    options: PullOptions,
  ): Promise<PageOutcome> {
    return new PageFetch(
      {
        channel: this.#channel,
        fetch: this.#fetch,
        now: this.#now,
        sleep: this.#sleep,
        backoff: (attempt) => this.#backoff(attempt),
        fits: (ms, deadline) => this.#fits(ms, deadline),
      },
      { request, select, state, auth, options },
    ).run();
  }
}
