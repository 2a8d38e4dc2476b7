import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { BatchHandoffRequest, BatchStarter } from "../../core/jobs/ports.ts";

/** @returns the execution name of a job's batch run: the job id, so one job never starts two runs. */
export function handoffExecutionName(jobId: string): string {
  return `pull-${jobId}`;
}

/**
 * Starts the batch workflow (a Step Functions Standard state machine) on a pull's hand-off. The
 * execution is named after the job: StartExecution with the same name and input returns the running
 * execution instead of starting another (Standard workflows, 90 days), so a redelivered message starts
 * nothing new.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export class StepFunctionsBatchStarter implements BatchStarter {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(options: { client: SFNClient; stateMachineArn: string }) {
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
  }

  async start(request: BatchHandoffRequest): Promise<{ executionId: string }> {
    const name = handoffExecutionName(request.jobId);
    try {
      const response = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name,
          input: JSON.stringify({ handoff: request }),
        }),
      );
      return { executionId: response.executionArn ?? name };
    } catch (error) {
      // Same name, other input (counts moved on a redelivery): the run already exists, which is the point.
      if (error instanceof ExecutionAlreadyExists) {
        return { executionId: `${this.#stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}` };
      }
      throw error;
    }
  }
}
