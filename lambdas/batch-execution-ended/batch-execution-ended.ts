/**
 * batch-execution-ended — EventBridge target for "Step Functions Execution Status Change" events of
 * the batch state machine with status ABORTED, TIMED_OUT or FAILED: an execution that ended without
 * reaching its Catch (stopped by a cancel or by hand, past its timeout, a failure no Catch handles)
 * ends its job through `endJobOfExecution` (lambdas/core/jobs/execution-ended.ts): CANCELLED when a
 * cancel had been asked for, else FAILED (`interrupted:` / `timed-out:`), written changes counted as
 * their outcomes and the rest as failed. A job that already ended is left alone (a redelivered event,
 * or the FAILED status that follows a job the Catch already failed).
 *
 * Event: the EventBridge event. Response: `ExecutionEndedResult`.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
import * as v from "valibot";
import {
  type ExecutionEndedDeps,
  type ExecutionEndedResult,
  endJobOfExecution,
  UNCAUGHT_EXECUTION_STATUSES,
} from "../core/jobs/execution-ended.ts";
import { parseEvent } from "../runtime/batch-events.ts";
import { publishJobMetrics } from "../runtime/metrics.ts";
import { logger } from "../runtime/powertools.ts";

/** The part of the status change event this function reads. */
export const ExecutionStatusChangeEventSchema = v.object({
  source: v.literal("aws.states"),
  "detail-type": v.literal("Step Functions Execution Status Change"),
  detail: v.object({
    executionArn: v.string(),
    stateMachineArn: v.string(),
    name: v.string(),
    status: v.picklist(UNCAUGHT_EXECUTION_STATUSES),
    /** Left out (null) when over 248 KB; batch inputs are far smaller. */
    input: v.nullish(v.string()),
    error: v.nullish(v.string()),
    cause: v.nullish(v.string()),
  }),
});

/** Builds the handler from its ports. */
export function makeHandler(deps: ExecutionEndedDeps) {
  return async (event: unknown): Promise<ExecutionEndedResult> => {
    const { detail } = parseEvent(ExecutionStatusChangeEventSchema, event);
    logger.appendKeys({ executionArn: detail.executionArn });
    const result = await endJobOfExecution(detail, deps);
    if (result.outcome === "ended") {
      logger.appendKeys({ jobId: result.jobId, vendorId: result.vendorId });
      publishJobMetrics({ vendorId: result.vendorId, status: result.status, counts: result.counts });
      logger.warn("batch job ended by its execution's end", {
        executionStatus: detail.status,
        status: result.status,
        reason: result.reason,
        counts: result.counts,
      });
    } else {
      logger.info("execution end: nothing to end", { executionStatus: detail.status, ...result });
    }
    return result;
  };
}
