import { ExecutionDoesNotExist, SFNClient, SFNServiceException, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  CANCEL_STOP_ERROR,
  StepFunctionsExecutionControl,
} from "../../../lambdas/adapters/sfn/sfn-execution-control.ts";
import { executionNameFor } from "../../../lambdas/core/batch/execution.ts";
import type { JobItem } from "../../../lambdas/core/jobs/job.ts";
import { emptyCounts } from "../../../lambdas/core/outcomes.ts";

// Step Functions has no local engine for StopExecution of a deployed state machine; the mock stands in for it.
const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const MACHINE = "arn:aws:states:eu-central-1:123456789012:stateMachine:vendor-sync-batch";
const EXECUTIONS = "arn:aws:states:eu-central-1:123456789012:execution:vendor-sync-batch";

const job = (extra: Partial<JobItem>): JobItem => ({
  jobId: "01JQ0000000000000000000000",
  vendorId: "canonical",
  workflow: "batch",
  trigger: "upload",
  status: "RUNNING",
  input: { bucket: "vendor-sync-imports", key: "imports/canonical/feed.csv", versionId: "v7" },
  counts: emptyCounts(),
  rowsRead: 0,
  createdAt: 1,
  ...extra,
});
const control = () => new StepFunctionsExecutionControl({ client: new SFNClient({}), stateMachineArn: MACHINE });
const sent = () => sfn.commandCalls(StopExecutionCommand).map((call) => call.args[0].input);

describe("stopping a job's batch execution (StopExecution)", () => {
  it("stops an upload's execution, named after its bucket, key and version, with the cancel's cause", async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    await control().stop(job({}), "cancelled by arn:aws:iam::123456789012:user/admin");
    const name = executionNameFor({
      bucket: "vendor-sync-imports",
      key: "imports/canonical/feed.csv",
      versionId: "v7",
    });
    expect(sent()).toEqual([
      {
        executionArn: `${EXECUTIONS}:${name}`,
        error: CANCEL_STOP_ERROR,
        cause: "cancelled by arn:aws:iam::123456789012:user/admin",
      },
    ]);
  });

  it("stops a handed-over pull's execution: the ARN its hand-off recorded, else pull-<jobId>", async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date() });
    const handoff = { input: "pulls/m.json", changes: 10, at: 1 };
    // Recorded on another state machine than the one configured now: only the recorded ARN reaches it.
    const recorded = `${EXECUTIONS}-previous:pull-01JQ0000000000000000000000`;
    await control().stop(job({ workflow: "scheduled", handoff: { ...handoff, executionId: recorded } }), "cancelled");
    await control().stop(job({ workflow: "scheduled", handoff: { ...handoff, executionId: "pending" } }), "cancelled");
    expect(sent().map((input) => input.executionArn)).toEqual([
      recorded,
      `${EXECUTIONS}:pull-01JQ0000000000000000000000`,
    ]);
  });

  it("has nothing to stop when the execution does not exist; other errors reach the caller", async () => {
    sfn
      .on(StopExecutionCommand)
      .rejectsOnce(new ExecutionDoesNotExist({ message: "Execution Does Not Exist", $metadata: {} }))
      .rejects(
        new SFNServiceException({ name: "AccessDeniedException", message: "denied", $fault: "client", $metadata: {} }),
      );
    await expect(control().stop(job({}), "cancelled")).resolves.toBeUndefined();
    await expect(control().stop(job({}), "cancelled")).rejects.toThrow("denied");
  });
});
