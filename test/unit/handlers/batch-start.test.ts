import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../config/load-vendors.ts";
import { stepFunctionsStarter } from "../../../lambdas/adapters/stepfunctions/batch-executions.ts";
import { makeHandler } from "../../../lambdas/batch-start/batch-start.ts";
import { executionNameFor } from "../../../lambdas/core/batch/execution.ts";
import { VendorRegistry } from "../../../lambdas/runtime/vendor-registry.ts";

const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const ARN = "arn:aws:states:eu-central-1:123456789012:stateMachine:batch";
const event = (key: string, versionId = "v-1") => ({
  "detail-type": "Object Created",
  source: "aws.s3",
  detail: { bucket: { name: "imports" }, object: { key, size: 10, "version-id": versionId } },
});

function handler(tags: Record<string, string> = {}) {
  return makeHandler({
    vendors: new VendorRegistry(loadVendorConfigs().values()),
    start: stepFunctionsStarter(new SFNClient({ region: "eu-central-1" }), ARN),
    readTags: async () => tags,
    newJobId: () => "01JOB",
  });
}

describe("batch-start (EventBridge Object Created → StartExecution)", () => {
  it("starts the workflow with the upload's hash as execution name and the vendor's Map settings", async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x` });
    const result = await handler({ "vendor-sync:full": "true", "vendor-sync:as-of": "2026-11-01T06:00:00Z" })(
      event("imports/magento-luma/catalog.csv"),
    );
    const name = executionNameFor({ bucket: "imports", key: "imports/magento-luma/catalog.csv", versionId: "v-1" });
    expect(result).toEqual({ outcome: "started", executionName: name, jobId: "01JOB" });
    const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ stateMachineArn: ARN, name });
    expect(JSON.parse(input?.input ?? "{}")).toMatchObject({
      jobId: "01JOB",
      vendorId: "magento-luma",
      source: { bucket: "imports", key: "imports/magento-luma/catalog.csv", versionId: "v-1" },
      full: true,
      dryRun: false,
      asOf: Date.parse("2026-11-01T06:00:00Z"),
      trigger: "upload",
      config: { maxConcurrency: 4, toleratedFailurePercent: 5 },
    });
  });

  it("reports a second delivery of the same upload as a duplicate instead of running it twice", async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }));
    const result = await handler()(event("imports/canonical/feed.jsonl"));
    expect(result).toMatchObject({ outcome: "duplicate" });
  });

  it("ignores uploads outside a known vendor's folder without starting anything", async () => {
    expect(await handler()(event("imports/acme/feed.csv"))).toEqual({
      outcome: "ignored",
      reason: 'unknown vendor "acme"',
    });
    expect(await handler()(event("imports/feed.csv"))).toMatchObject({ outcome: "ignored" });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it("fails on an event that is not an S3 Object Created event", async () => {
    await expect(handler()({ "detail-type": "Object Deleted", detail: {} })).rejects.toThrow(/invalid event/);
  });
});
