import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { BatchExecutionInput } from "../../core/batch/model.ts";

/** Starts a batch workflow execution. @returns `"exists"` when an execution with that name already ran (or runs). */
export type StartBatchExecution = (name: string, input: BatchExecutionInput) => Promise<"started" | "exists">;

/**
 * @returns a {@link StartBatchExecution} on Step Functions. A name already used by this state
 * machine (within 90 days) is reported, not thrown: it is how a duplicate upload event is ignored.
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export function stepFunctionsStarter(client: SFNClient, stateMachineArn: string): StartBatchExecution {
  return async (name, input) => {
    try {
      await client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return "started";
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return "exists";
      throw error;
    }
  };
}
