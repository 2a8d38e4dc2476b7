/**
 * batch-fail — the state machine's Catch target: marks the job FAILED with the caught error (a Map
 * over its tolerated failure percentage, a stage that kept failing) and returns the notification.
 *
 * Event: `{ jobId, vendorId, trigger?, error: { Error, Cause } }`.
 * Response: `{ status: "FAILED", error, notification }`.
 */
import { type CommitDeps, failJob } from "../core/batch/commit.ts";
import { FailEventSchema, parseEvent } from "../runtime/batch-events.ts";
import { publishJobMetrics } from "../runtime/metrics.ts";
import { logger } from "../runtime/powertools.ts";

export interface BatchFailDeps extends Omit<CommitDeps, "store" | "now"> {
  readonly now?: () => number;
}

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchFailDeps) {
  return async (event: unknown) => {
    const input = parseEvent(FailEventSchema, event);
    logger.appendKeys({ jobId: input.jobId, vendorId: input.vendorId });
    const result = await failJob(input, { ...deps, now: deps.now ?? Date.now });
    publishJobMetrics({ vendorId: input.vendorId, status: "FAILED", counts: { received: 0 } });
    logger.error("batch job failed", { error: result.error });
    return result;
  };
}
