import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { handoffExecutionName } from "../../core/batch/execution.ts";
import type { BatchExecutionInput } from "../../core/batch/model.ts";
import type { BatchHandoffRequest, BatchStarter } from "../../core/jobs/ports.ts";

/**
 * Starts the batch workflow (a Step Functions Standard state machine) on a pull's hand-off, with the
 * execution input `inputFor` builds (`buildHandoffExecutionInput`: the pull's job continues in the
 * batch run). The execution is named after the job: a second StartExecution with the same name starts
 * nothing (Standard workflows keep names for 90 days), so a redelivered message starts no second run.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export class StepFunctionsBatchStarter implements BatchStarter {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;
  readonly #inputFor: (request: BatchHandoffRequest) => BatchExecutionInput;

  constructor(options: {
    client: SFNClient;
    stateMachineArn: string;
    inputFor: (request: BatchHandoffRequest) => BatchExecutionInput;
  }) {
    this.#client = options.client;
    this.#stateMachineArn = options.stateMachineArn;
    this.#inputFor = options.inputFor;
  }

  async start(request: BatchHandoffRequest): Promise<{ executionId: string }> {
    const name = handoffExecutionName(request.jobId);
    try {
      const response = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name,
          input: JSON.stringify(this.#inputFor(request)),
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
