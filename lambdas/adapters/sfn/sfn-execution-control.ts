import { ExecutionDoesNotExist, type SFNClient, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { batchExecutionName } from "../../core/batch/execution.ts";
import type { JobItem } from "../../core/jobs/job.ts";
import type { BatchExecutionControl } from "../../core/jobs/ports.ts";

/** StopExecution's `error` on a cancel; the execution's ABORTED status event carries it. */
export const CANCEL_STOP_ERROR = "vendor-sync.Cancelled";

/** Longest `cause` StopExecution accepts (characters). */
const MAX_CAUSE = 32_768;

/**
 * @returns the ARN of the execution of a job's batch run: the hand-over's recorded execution ARN, else
 *   the state machine's execution with the job's execution name (`batchExecutionName`).
 */
function batchExecutionArn(stateMachineArn: string, job: JobItem): string {
  const recorded = job.handoff?.executionId;
  if (recorded?.startsWith("arn:")) return recorded;
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${batchExecutionName(job)}`;
}

/**
 * Stops a job's batch run on AWS: Step Functions StopExecution of the job's execution of the batch
 * state machine, with `error` {@link CANCEL_STOP_ERROR} and the cancel's cause. The execution ends
 * ABORTED, and its status change event ends the job CANCELLED (`lambdas/batch-execution-ended`); Map
 * Runs of its Distributed Maps stop with it. An execution that does not exist (never started, or
 * older than Step Functions keeps) has nothing to stop.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
 */
export class StepFunctionsExecutionControl implements BatchExecutionControl {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
  }

  /** @throws the client's error other than ExecutionDoesNotExist (access denied, throttling). */
  async stop(job: JobItem, cause: string): Promise<void> {
    try {
      await this.#client.send(
        new StopExecutionCommand({
          executionArn: batchExecutionArn(this.#stateMachineArn, job),
          error: CANCEL_STOP_ERROR,
          cause: cause.slice(0, MAX_CAUSE),
        }),
      );
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
    }
  }
}
