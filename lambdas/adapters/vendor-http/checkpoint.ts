import * as v from "valibot";
import { PAGING_STYLES } from "../../core/pull/pull-config.ts";
import { CheckpointMismatchError } from "./errors.ts";

/**
 * Where the next page is. Exactly the member the paging style uses is set; an empty position is the
 * first page.
 */
export const PullPositionSchema = v.strictObject({
  /** Absolute URL to request verbatim (`link-header`, `search-after`). */
  url: v.optional(v.pipe(v.string(), v.url())),
  /** Opaque cursor (`cursor`). */
  cursor: v.optional(v.string()),
  /** Page number (`page-number`). */
  page: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Record offset (`offset`). */
  offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Last key of the previous page (`keyset`). */
  afterKey: v.optional(v.string()),
});
/** Where the next page is (see {@link PullPositionSchema}). */
export type PullPosition = v.InferOutput<typeof PullPositionSchema>;

/**
 * A resumable pull's state, small and JSON-safe so the worker can put it in its follow-up SQS message
 * (256 KB limit; this stays far below). Resuming from it fetches exactly the pages not yet delivered.
 */
export const PullCheckpointSchema = v.strictObject({
  version: v.literal(1),
  style: v.picklist(PAGING_STYLES),
  next: PullPositionSchema,
  /** Lower bound of this run's incremental filter, epoch ms (watermark minus lookback); absent = full pull. */
  sinceMs: v.optional(v.number()),
  /** When the run's first invocation started, epoch ms: the watermark to store once the run completes. */
  startedAt: v.number(),
  /** Pages delivered so far in this run (all invocations). */
  pagesFetched: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Records delivered so far in this run. */
  recordsFetched: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Fingerprints of positions already requested (newest last, at most {@link SEEN_LIMIT}): the loop guard. */
  seen: v.array(v.string()),
  /** Content hash of the last non-empty page, to catch an API that ignores the page parameter. */
  lastPageHash: v.optional(v.string()),
});
/** A resumable pull's state (see {@link PullCheckpointSchema}). Treat as opaque outside this adapter. */
export type PullCheckpoint = v.InferOutput<typeof PullCheckpointSchema>;

/** Positions remembered for the loop guard; a loop longer than this is not detected (and is very unlikely). */
export const SEEN_LIMIT = 64;

/**
 * Validates a checkpoint read from a message.
 *
 * @throws {CheckpointMismatchError} when it is malformed or written for another paging style.
 */
export function parseCheckpoint(input: unknown, style: string): PullCheckpoint {
  const result = v.safeParse(PullCheckpointSchema, input);
  if (!result.success) {
    const issue = result.issues[0];
    throw new CheckpointMismatchError(
      `checkpoint is malformed at ${issue ? (v.getDotPath(issue) ?? "(root)") : "(root)"}: ${issue?.message ?? "invalid"}`,
    );
  }
  if (result.output.style !== style) {
    throw new CheckpointMismatchError(
      `checkpoint was written for ${result.output.style} paging, but the vendor now pages with ${style}; start a new run`,
    );
  }
  return result.output;
}
