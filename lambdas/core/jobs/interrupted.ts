import { isFinal, type JobItem } from "./job.ts";
import type { JobStore } from "./ports.ts";
import type { VendorLookup } from "./sync-jobs.ts";

/**
 * Who may still be driving a job. The sandbox answers from the data directory's ownership: one
 * process owns it, so a job owned by an earlier session, or a batch run with no owner at all, has no
 * runner left (see local/interrupted-jobs.ts).
 */
export type OwnerLiveness = (job: JobItem) => boolean;

/**
 * @returns the vendors' jobs that have not ended but whose runner is gone (by `isAlive`), oldest
 *   first: each must be ended as interrupted (`endBatchJobEarly`), or it stays RUNNING forever and
 *   holds its vendor.
 * @param options.since - only jobs created at or after this, epoch ms.
 */
export async function findOrphanedJobs(
  deps: { readonly store: JobStore; readonly vendors: VendorLookup; readonly isAlive: OwnerLiveness },
  options: { readonly since: number; readonly limit?: number },
): Promise<JobItem[]> {
  const orphaned: JobItem[] = [];
  for (const vendor of deps.vendors.all()) {
    const jobs = await deps.store.listJobs(vendor.id, { since: options.since, limit: options.limit ?? 500 });
    orphaned.push(...jobs.filter((job) => !isFinal(job) && !deps.isAlive(job)));
  }
  return orphaned.sort((a, b) => a.createdAt - b.createdAt);
}

/** @returns whether a job is a batch run (an import, or a pull handed over to the batch workflow). */
export function isBatchRun(job: Pick<JobItem, "workflow" | "handoff">): boolean {
  return job.workflow === "batch" || job.handoff !== undefined;
}

/** Why a batch run stopped without reaching its commit or its Catch. */
export type Interruption =
  /** The sandbox process that drove the run stopped (killed, crashed, closed). */
  | { readonly kind: "runner-stopped" }
  /**
   * Its Step Functions execution ended outside the definition's Catch: stopped (`ABORTED`, by a
   * cancel's StopExecution or by hand), past the state machine's timeout (`TIMED_OUT`), or failed where
   * no Catch applies (`FAILED`: a redrive exhausted, a States.Runtime error).
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
   */
  | {
      readonly kind: "execution-ended";
      readonly status: "ABORTED" | "TIMED_OUT" | "FAILED";
      /** The execution's `error` and `cause`, when it has them (StopExecution's, a failure's). */
      readonly error?: string | null;
      readonly cause?: string | null;
    };

/** How an interrupted batch job ends: its status and the reason kept as its error summary. */
export interface InterruptedEnding {
  readonly status: "FAILED" | "CANCELLED";
  readonly reason: string;
}

const RECONCILE = "changes written so far count as their outcomes, the rest as failed; run it again to reconcile";
/** Longest part of an execution's error or cause kept in a job's reason. */
const MAX_CAUSE = 300;
const clip = (text: string) => (text.length > MAX_CAUSE ? `${text.slice(0, MAX_CAUSE)}…` : text);

/**
 * How a batch job whose run was interrupted ends, in the sandbox and on AWS alike: CANCELLED when an
 * admin had asked to cancel it (`cancelRequestedAt`: the cancel's stop is what ended the run), else
 * FAILED with a reason that starts `interrupted:` (the runner stopped, the execution was aborted or
 * failed outside its Catch) or `timed-out:` (the execution's timeout). Its counts are the job's so
 * far (`endBatchJobEarly` in `../batch/ended-early.ts`).
 */
export function interruptedEnding(
  job: Pick<JobItem, "cancelRequestedAt">,
  interruption: Interruption,
): InterruptedEnding {
  const cancelled = job.cancelRequestedAt !== undefined;
  if (interruption.kind === "runner-stopped") {
    return {
      status: cancelled ? "CANCELLED" : "FAILED",
      reason: `interrupted: the vendor-sync process running it stopped before it finished${cancelled ? " (a cancel had been asked for)" : ""}; ${RECONCILE}`,
    };
  }
  const detail = [interruption.error, interruption.cause].filter((part): part is string => !!part).join(": ");
  if (cancelled) {
    return {
      status: "CANCELLED",
      reason: `${interruption.status === "ABORTED" && interruption.cause ? clip(interruption.cause) : "cancelled"}: its batch execution ended ${interruption.status}; ${RECONCILE}`,
    };
  }
  switch (interruption.status) {
    case "TIMED_OUT":
      return {
        status: "FAILED",
        reason: `timed-out: its batch execution ran past the state machine's timeout; ${RECONCILE}`,
      };
    case "ABORTED":
      return {
        status: "FAILED",
        reason: `interrupted: its batch execution was stopped before it finished${detail ? ` (${clip(detail)})` : ""}; ${RECONCILE}`,
      };
    default:
      return {
        status: "FAILED",
        reason: `interrupted: its batch execution failed outside its Catch${detail ? ` (${clip(detail)})` : ""}; ${RECONCILE}`,
      };
  }
}
