/**
 * batch-commit — aggregate + commit: sums the per-part apply results from S3, sets the job's final
 * status, counts and duration, records the vendor's freshness, and returns the notification the
 * state machine publishes on the job topic.
 *
 * Event: `{ jobId, vendorId }`. Response: `CommitResult` (small).
 */
import { type CommitDeps, type CommitResult, commitJob } from "../core/batch/commit.ts";
import { CommitEventSchema, parseEvent } from "../runtime/batch-events.ts";
import { publishJobMetrics } from "../runtime/metrics.ts";
import { logger } from "../runtime/powertools.ts";

export interface BatchCommitDeps extends Omit<CommitDeps, "now"> {
  readonly now?: () => number;
}

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchCommitDeps) {
  return async (event: unknown): Promise<CommitResult> => {
    const input = parseEvent(CommitEventSchema, event);
    logger.appendKeys({ jobId: input.jobId, vendorId: input.vendorId });
    const result = await commitJob(input, { ...deps, now: deps.now ?? Date.now });
    // A dry run is not a sync: it publishes no job metrics.
    if (!result.dryRun) {
      publishJobMetrics({
        vendorId: input.vendorId,
        status: result.status,
        durationMs: result.durationMs,
        counts: result.counts,
      });
    }
    logger.info("job committed", { status: result.status, counts: result.counts, durationMs: result.durationMs });
    return result;
  };
}
