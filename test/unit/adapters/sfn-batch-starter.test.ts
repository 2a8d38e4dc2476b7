import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../config/load-vendors.ts";
import { StepFunctionsBatchStarter } from "../../../lambdas/adapters/sfn/sfn-batch-starter.ts";
import { buildHandoffExecutionInput } from "../../../lambdas/core/batch/execution.ts";
import { BatchExecutionInputSchema } from "../../../lambdas/core/batch/model.ts";
import type { BatchHandoffRequest } from "../../../lambdas/core/jobs/ports.ts";
import { emptyCounts } from "../../../lambdas/core/outcomes.ts";

// Step Functions' API has no local engine for StartExecution's naming rules; the mock stands in for it.
const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const ARN = "arn:aws:states:eu-central-1:123456789012:stateMachine:vendor-sync-batch";
const vendor = loadVendorConfigs().get("shopify-demo");
if (!vendor) throw new Error("config/vendors/shopify-demo.json is missing");

const pull: BatchHandoffRequest = {
  jobId: "01JQ0000000000000000000000",
  vendorId: "shopify-demo",
  trigger: "schedule",
  dryRun: false,
  input: { kind: "pull-manifest", manifestKey: "pulls/shopify-demo/01JQ0000000000000000000000/manifest.json" },
  baseCounts: { ...emptyCounts(), received: 250, created: 250 },
  rowsRead: 1250,
  watermark: { pullWatermark: 1_795_000_000_000 },
};

const starter = () =>
  new StepFunctionsBatchStarter({
    client: new SFNClient({}),
    stateMachineArn: ARN,
    inputFor: (request) =>
      buildHandoffExecutionInput({ vendor, request, archiveBucket: "vendor-sync-archive", trigger: request.trigger }),
  });

describe("handing a large pull to the batch state machine", () => {
  it("starts an execution named after the job whose input continues the job and passes the schema prepare checks", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:pull-${pull.jobId}`, startDate: new Date() });
    const { executionId } = await starter().start(pull);
    expect(executionId).toBe(`${ARN}:pull-${pull.jobId}`);
    const sent = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(sent?.name).toBe(`pull-${pull.jobId}`);
    const input = v.parse(BatchExecutionInputSchema, JSON.parse(sent?.input ?? "{}"));
    expect(input).toMatchObject({
      jobId: pull.jobId,
      vendorId: "shopify-demo",
      source: { bucket: "vendor-sync-archive", key: pull.input.kind === "pull-manifest" ? pull.input.manifestKey : "" },
      asOf: null,
      full: false,
      trigger: "schedule",
      config: { maxConcurrency: vendor.maxConcurrency },
      handoff: { kind: "pull-manifest", rowsRead: 1250, baseCounts: { created: 250 }, watermark: pull.watermark },
    });
  });

  it("reads a large dropped file in place, with its last-modified time as the as-of time", () => {
    const input = buildHandoffExecutionInput({
      vendor,
      request: {
        ...pull,
        input: { kind: "vendor-file", bucket: "acme-drops", key: "acme/big.csv", asOf: 1_795_100_000_000 },
        watermark: { fileDropAfterKey: "acme/big.csv" },
      },
      archiveBucket: "vendor-sync-archive",
      trigger: "admin",
    });
    expect(input).toMatchObject({
      source: { bucket: "acme-drops", key: "acme/big.csv" },
      asOf: 1_795_100_000_000,
      handoff: { kind: "vendor-file", watermark: { fileDropAfterKey: "acme/big.csv" } },
    });
  });

  it("finds the running execution on a redelivered message instead of starting a second one", async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: "Execution Already Exists", $metadata: {} }));
    const { executionId } = await starter().start(pull);
    expect(executionId).toBe(`arn:aws:states:eu-central-1:123456789012:execution:vendor-sync-batch:pull-${pull.jobId}`);
  });
});
