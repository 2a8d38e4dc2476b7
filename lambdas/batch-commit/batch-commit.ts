/**
 * batch-commit — aggregate + commit: sums the per-part apply results from S3, sets the job's final
 * status, counts and duration, records the vendor's freshness, and returns the notification the
 * state machine publishes on the job topic.
 *
 * Event: `{ jobId, vendorId }`. Response: `CommitResult` (small).
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { type CommitDeps, type CommitResult, commitJob } from "../core/batch/commit.ts";
import { CommitEventSchema, parseEvent } from "../shared/batch-events.ts";
import { logger, metrics } from "../shared/powertools.ts";

export interface BatchCommitDeps extends Omit<CommitDeps, "now"> {
  readonly now?: () => number;
}

const JOB_METRIC = { SUCCEEDED: "JobsSucceeded", PARTIAL: "JobsPartial", FAILED: "JobsFailed" } as const;

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchCommitDeps) {
  return async (event: unknown): Promise<CommitResult> => {
    const input = parseEvent(CommitEventSchema, event);
    logger.appendKeys({ jobId: input.jobId, vendorId: input.vendorId });
    const result = await commitJob(input, { ...deps, now: deps.now ?? Date.now });
    if (!result.dryRun && result.status in JOB_METRIC) {
      const set = metrics.singleMetric();
      set.addDimension("VendorId", input.vendorId);
      set.addMetric(JOB_METRIC[result.status as keyof typeof JOB_METRIC], MetricUnit.Count, 1);
      set.addMetric("JobDuration", MetricUnit.Milliseconds, result.durationMs);
    }
    logger.info("job committed", { status: result.status, counts: result.counts, durationMs: result.durationMs });
    return result;
  };
}
