import { TransientError, ValidationError } from "../../core/errors.ts";
import type { PullChannel } from "../../core/pull/pull-config.ts";
import { type Authenticator, endpointOf } from "./auth.ts";
import type { PullCheckpoint } from "./checkpoint.ts";
import type { PullOptions } from "./connector.ts";
import { VendorHttpError, VendorUnavailableError } from "./errors.ts";
import type { FetchedPage, PreparedRequest } from "./paging.ts";
import { graphqlThrottle, requestedWaitMs } from "./rate-limit.ts";

/** One page, or why the invocation must hand over before it. */
export type PageOutcome =
  | { readonly kind: "page"; readonly page: FetchedPage }
  | { readonly kind: "stop"; readonly reason: "deadline" | "rate-limited"; readonly retryAfterMs?: number };

/** The connector's clock, transport and waiting rules, as one page's fetch uses them. */
export interface PageFetchContext {
  readonly channel: PullChannel;
  readonly fetch: typeof fetch;
  /** Epoch ms. */
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Full-jitter backoff of the `attempt`th retry, ms. */
  readonly backoff: (attempt: number) => number;
  /** Whether a wait of `ms` may happen inside this invocation. */
  readonly fits: (ms: number, deadline: number) => boolean;
}

/** The page to fetch. */
export interface PageRequest {
  readonly request: PreparedRequest;
  /** Locates the records in a parsed body. @throws {ValidationError} when the path matches nothing. */
  readonly select: (body: unknown) => unknown[];
  /** Where the run stands: the checkpoint a {@link VendorUnavailableError} carries. */
  readonly state: PullCheckpoint;
  readonly auth: Authenticator;
  readonly options: PullOptions;
}

/** A response read within the page timeout. */
interface Answered {
  readonly response: Response;
  readonly text: string;
}

/**
 * Fetches one page: the page timeout bounds request and body; 5xx, 408, timeouts and network errors
 * are retried with full-jitter backoff up to `retry.maxAttempts` (then {@link VendorUnavailableError});
 * 429, 503 with Retry-After and GraphQL `THROTTLED` replies wait what the vendor asks when that fits,
 * else the invocation hands over; a 401 with refreshable credentials re-authenticates once.
 *
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/ (full jitter)
 */
export class PageFetch {
  readonly #ctx: PageFetchContext;
  readonly #page: PageRequest;
  readonly #endpoint: string;
  readonly #pageTimeoutMs: number;
  #attempts = 0;
  #throttled = 0;
  #reauthenticated = false;

  constructor(ctx: PageFetchContext, page: PageRequest) {
    this.#ctx = ctx;
    this.#page = page;
    this.#endpoint = endpointOf(page.request.url);
    this.#pageTimeoutMs = ctx.channel.pageTimeoutSeconds * 1000;
  }

  /**
   * @throws {VendorUnavailableError} when the page keeps failing.
   * @throws {VendorHttpError} for other 4xx answers, non-JSON bodies, GraphQL errors or a records path
   *   that does not match.
   */
  async run(): Promise<PageOutcome> {
    const { options } = this.#page;
    for (;;) {
      if (this.#ctx.now() + this.#pageTimeoutMs > options.deadline) return { kind: "stop", reason: "deadline" };
      let answered: Answered;
      try {
        answered = await this.#send();
      } catch (error) {
        if (options.signal?.aborted) throw error;
        if (error instanceof ValidationError) throw error;
        const stop = await this.#transient(
          undefined,
          error,
          error instanceof TransientError ? error.retryAfterMs : undefined,
        );
        if (stop) return stop;
        continue;
      }
      const outcome = await this.#read(answered);
      if (outcome !== "again") return outcome;
    }
  }

  /** Sends the request and reads the body, both under the page timeout (and the caller's signal). */
  async #send(): Promise<Answered> {
    const { request, auth, options } = this.#page;
    const timeout = AbortSignal.timeout(this.#pageTimeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const headers: Record<string, string> = {
      accept: "application/json",
      ...this.#ctx.channel.request.headers,
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      ...(await auth.headers(signal)),
    };
    const response = await this.#ctx.fetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      signal,
    });
    // The body is read under the same signal, so a stalled body counts against the page timeout.
    return { response, text: await response.text() };
  }

  /** What an answer means: a page, a hand-over, an error, or `"again"` (after a wait or a re-authentication). */
  async #read({ response, text }: Answered): Promise<PageOutcome | "again"> {
    const status = response.status;
    const endpoint = this.#endpoint;
    if (status === 429 || (status === 503 && response.headers.has("retry-after"))) {
      return (await this.#rateLimited(requestedWaitMs(response.headers, this.#ctx.now()))) ?? "again";
    }
    if (status === 401 && this.#page.auth.refreshable && !this.#reauthenticated) {
      this.#reauthenticated = true;
      await this.#page.auth.invalidate();
      return "again";
    }
    if (status >= 500 || status === 408) return (await this.#transient(status, undefined)) ?? "again";
    if (status < 200 || status >= 300) {
      throw new VendorHttpError(`${endpoint} answered HTTP ${status}; not retrying`, { status, endpoint });
    }
    let body: unknown;
    try {
      body = parseJson(text);
    } catch (error) {
      throw new VendorHttpError(`${endpoint} answered HTTP ${status} with a body that is not JSON`, {
        status,
        endpoint,
        cause: error,
      });
    }
    const throttle = graphqlThrottle(body);
    if (throttle) return (await this.#rateLimited(throttle.waitMs)) ?? "again";
    const errors = (body as { errors?: unknown } | null)?.errors;
    if (this.#ctx.channel.request.graphql && Array.isArray(errors) && errors.length > 0) {
      const first = String((errors[0] as { message?: unknown } | null)?.message ?? "unknown error").slice(0, 200);
      throw new VendorHttpError(`${endpoint} answered with GraphQL errors: ${first}`, { status, endpoint });
    }
    let records: unknown[];
    try {
      records = this.#page.select(body);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new VendorHttpError(`${endpoint}: ${error.message}`, { status, endpoint, cause: error });
    }
    return { kind: "page", page: { url: this.#page.request.url, headers: response.headers, body, records } };
  }

  /** A 5xx, timeout or network failure: wait and retry (`undefined`), hand over, or give up. */
  async #transient(status: number | undefined, cause: unknown, requestedMs?: number): Promise<PageOutcome | undefined> {
    const { options, state } = this.#page;
    this.#attempts += 1;
    const attempts = this.#attempts;
    if (attempts >= this.#ctx.channel.retry.maxAttempts) {
      throw new VendorUnavailableError(
        `${this.#endpoint} failed ${attempts} times (${status === undefined ? "no response" : `HTTP ${status}`}); continue from the checkpoint later`,
        { checkpoint: state, status, attempts, retryAfterMs: requestedMs, cause },
      );
    }
    const wait = requestedMs ?? this.#ctx.backoff(attempts);
    if (this.#ctx.now() + wait + this.#pageTimeoutMs > options.deadline)
      return { kind: "stop", reason: "deadline", retryAfterMs: wait };
    await this.#ctx.sleep(wait, options.signal);
    return undefined;
  }

  /** A 429 or throttled GraphQL reply: wait if short (`undefined`), else hand over with a checkpoint. */
  async #rateLimited(requestedMs: number | undefined): Promise<PageOutcome | undefined> {
    const { options } = this.#page;
    this.#throttled += 1;
    const wait = requestedMs ?? this.#ctx.backoff(this.#throttled);
    if (this.#throttled > this.#ctx.channel.rateLimit.maxThrottledPerPage || !this.#ctx.fits(wait, options.deadline)) {
      return { kind: "stop", reason: "rate-limited", retryAfterMs: wait };
    }
    await this.#ctx.sleep(wait, options.signal);
    return undefined;
  }
}

/** JSON.parse that keeps integers beyond 2^53 as their exact digits (a string) instead of rounding them. */
function parseJson(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && !Number.isSafeInteger(value) && context?.source && /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}
