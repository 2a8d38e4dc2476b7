/**
 * Ending the job of a batch execution that stopped without reaching its Catch (docs/batch-workflow.md,
 * "Executions that end outside the Catch"): Step Functions reports the execution's end as a status
 * change event, and the job — otherwise RUNNING for ever, holding a handed-over pull's vendor — is
 * ended the way the sandbox ends a run whose process stopped: written changes counted as their
 * outcomes, the rest `failed`, received = sum of outcomes (`endBatchJobEarly`), with the reason and
 * status {@link interruptedEnding} gives.
 */
import { type EndEarlyDeps, endBatchJobEarly } from "../batch/ended-early.ts";
import { jobIdOfExecution } from "../batch/execution.ts";
import type { JobNotification } from "../batch/jobs.ts";
import type { OutcomeCounts } from "../outcomes.ts";
import { type Interruption, interruptedEnding, isBatchRun } from "./interrupted.ts";
import { isFinal } from "./job.ts";

/** Execution statuses that end a run outside its Catch: the ones the status-change rule matches. */
export const UNCAUGHT_EXECUTION_STATUSES = ["ABORTED", "TIMED_OUT", "FAILED"] as const;

/** The part of a "Step Functions Execution Status Change" event's `detail` this needs. */
export interface ExecutionEnd {
  readonly executionArn: string;
  /** The execution's name (`upload-<hash>`, `pull-<jobId>`). */
  readonly name: string;
  readonly status: (typeof UNCAUGHT_EXECUTION_STATUSES)[number];
  /** The execution's input (JSON text); `null` when the event left it out (over 248 KB). */
  readonly input?: string | null;
  readonly error?: string | null;
  readonly cause?: string | null;
}

export interface ExecutionEndedDeps extends EndEarlyDeps {
  /** Publishes the job's notification on the job topic, as the Notify step would have. */
  readonly publish: (notification: JobNotification) => Promise<void>;
}

/** What became of an execution's end. */
export type ExecutionEndedResult =
  | {
      readonly outcome: "ended";
      readonly jobId: string;
      readonly vendorId: string;
      readonly status: "FAILED" | "CANCELLED";
      readonly reason: string;
      readonly counts: OutcomeCounts;
    }
  /** The job had already ended (committed, caught, ended by an earlier delivery of this event): left alone. */
  | { readonly outcome: "already-ended"; readonly jobId: string; readonly status: string }
  /** No job to end: the execution names none, or stopped before its prepare created it. */
  | { readonly outcome: "no-job"; readonly jobId?: string };

/**
 * Ends the job of an execution that ended ABORTED, TIMED_OUT or FAILED outside its Catch. Safe to
 * repeat (EventBridge delivers at least once): a job that has ended is left as it is, and the end
 * itself is a conditional write from QUEUED or RUNNING.
 */
export async function endJobOfExecution(end: ExecutionEnd, deps: ExecutionEndedDeps): Promise<ExecutionEndedResult> {
  const jobId = jobIdOfExecution(end);
  if (jobId === undefined) return { outcome: "no-job" };
  const job = await deps.jobs.getJob(jobId);
  if (!job || !isBatchRun(job)) return { outcome: "no-job", jobId };
  if (isFinal(job)) return { outcome: "already-ended", jobId, status: job.status };
  const interruption: Interruption = {
    kind: "execution-ended",
    status: end.status,
    error: end.error ?? null,
    cause: end.cause ?? null,
  };
  const ending = interruptedEnding(job, interruption);
  const ended = await endBatchJobEarly(job, ending, deps);
  if (!ended.ended) {
    const now = await deps.jobs.getJob(jobId);
    return { outcome: "already-ended", jobId, status: now?.status ?? job.status };
  }
  await deps.publish(ended.notification);
  return {
    outcome: "ended",
    jobId,
    vendorId: job.vendorId,
    status: ending.status,
    reason: ending.reason,
    counts: ended.counts,
  };
}
