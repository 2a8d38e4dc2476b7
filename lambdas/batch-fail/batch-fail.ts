/**
 * batch-fail — the state machine's Catch target: marks the job FAILED with the caught error (a Map
 * over its tolerated failure percentage, a stage that kept failing) and returns the notification.
 *
 * Event: `{ jobId, vendorId, trigger?, error: { Error, Cause } }`.
 * Response: `{ status: "FAILED", error, notification }`.
 */
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { type CommitDeps, failJob } from "../core/batch/commit.ts";
import { FailEventSchema, parseEvent } from "../shared/batch-events.ts";
import { logger, metrics } from "../shared/powertools.ts";

export interface BatchFailDeps extends Omit<CommitDeps, "store" | "now"> {
  readonly now?: () => number;
}

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchFailDeps) {
  return async (event: unknown) => {
    const input = parseEvent(FailEventSchema, event);
    logger.appendKeys({ jobId: input.jobId, vendorId: input.vendorId });
    const result = await failJob(input, { ...deps, now: deps.now ?? Date.now });
    const set = metrics.singleMetric();
    set.addDimension("VendorId", input.vendorId);
    set.addMetric("JobsFailed", MetricUnit.Count, 1);
    logger.error("batch job failed", { error: result.error });
    return result;
  };
}
