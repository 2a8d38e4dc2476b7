/**
 * The pull connector as the pull step uses it: pages of one vendor list endpoint from a checkpoint,
 * handed over page by page, ending complete (with the next watermark) or partial (with a checkpoint
 * to continue from). The checkpoint is the connector's own, opaque here: the step stores it in the
 * job and gives it back. The vendor HTTP connector (`adapters/vendor-http`) implements it.
 */
import { TransientError } from "../errors.ts";

/** One page handed to the caller. */
export interface PulledPage<Checkpoint = unknown> {
  /** The page's records, located with `recordsPath`, in vendor order. */
  readonly records: readonly unknown[];
  /** 1-based number of the page within the run (across invocations). */
  readonly pageNumber: number;
  /** Where to resume after this page; `undefined` when it was the run's last page. */
  readonly checkpoint: Checkpoint | undefined;
}

/** Per-invocation options of {@link PullConnector.pull}. */
export interface PullOptions<Checkpoint = unknown> {
  /**
   * Epoch ms by which this invocation must hand over (for a Lambda: now + remaining time − a margin for
   * the caller's own work). No page starts unless its timeout fits before it.
   */
  readonly deadline: number;
  /**
   * The vendor's stored watermark (epoch ms), for a new run of an incremental channel; the filter starts
   * `lookbackSeconds` before it. Without one the run is a full pull. Ignored when resuming.
   */
  readonly watermark?: number;
  /**
   * Receives each page in order; the next request waits for it to resolve, so a page's checkpoint is
   * only handed out once the caller has taken the page. A rejection ends the pull with that error.
   */
  readonly onPage: (page: PulledPage<Checkpoint>) => Promise<void> | void;
  /** Aborts the pull (the error propagates). */
  readonly signal?: AbortSignal;
}

/** Why an invocation handed over before the end. */
export type PullStopReason = "deadline" | "max-pages" | "rate-limited";

/** The outcome of one invocation. `pages`/`records` count this invocation; the checkpoint counts the run. */
export type PullResult<Checkpoint = unknown> =
  | {
      readonly status: "complete";
      readonly pages: number;
      readonly records: number;
      /** The watermark to store for the vendor's next run: when this run started, epoch ms. */
      readonly watermark: number;
      readonly totalPages: number;
      readonly totalRecords: number;
    }
  | {
      readonly status: "partial";
      readonly reason: PullStopReason;
      readonly pages: number;
      readonly records: number;
      /** Continue with `pull(checkpoint, …)` in a follow-up message. */
      readonly checkpoint: Checkpoint;
      /** When the follow-up should run at the earliest, in ms from now (a rate limit's wait). */
      readonly retryAfterMs?: number;
    };

/** A vendor list endpoint read page by page (`VendorHttpConnector`). */
export interface PullConnector<Checkpoint = unknown> {
  /**
   * Reads pages from `checkpoint` (from the start when `undefined`) until the end, the deadline, the
   * page limit or a long rate limit.
   * @throws {VendorUnavailableError} when a page keeps failing (continue from its checkpoint later).
   * @throws {ValidationError} on what no retry fixes (credentials, config, a paging loop).
   */
  pull(checkpoint: Checkpoint | undefined, options: PullOptions<Checkpoint>): Promise<PullResult<Checkpoint>>;
}

/**
 * A page kept failing with 5xx, timeouts or network errors after every retry of this invocation.
 * Retryable: the pull step should continue from {@link checkpoint} (the page that failed) later rather
 * than start over; `retryAfterMs` suggests when.
 */
export class VendorUnavailableError<Checkpoint = unknown> extends TransientError {
  /** Where to resume: the page that failed. */
  readonly checkpoint: Checkpoint;
  /** HTTP status of the last attempt, when there was a response. */
  readonly status: number | undefined;
  /** Attempts made for the page. */
  readonly attempts: number;

  constructor(
    message: string,
    options: { checkpoint: Checkpoint; status?: number; attempts: number; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause, retryAfterMs: options.retryAfterMs });
    this.name = "VendorUnavailableError";
    this.checkpoint = options.checkpoint;
    this.status = options.status;
    this.attempts = options.attempts;
  }
}
