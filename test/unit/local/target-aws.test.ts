import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { emptyCounts } from "../../../lambdas/core/outcomes.ts";
import { runWith } from "../../../local/cli.ts";

const lambda = mockClient(LambdaClient);
const cloudformation = mockClient(CloudFormationClient);
const FUNCTION = "VendorSync-dev-ScheduledOnDemandFunction-AbC123";

afterEach(() => {
  lambda.reset();
  cloudformation.reset();
});

const job = (status: string, extra: Record<string, unknown> = {}) => ({
  jobId: "01JQ0000000000000000000000",
  vendorId: "shopify-demo",
  workflow: "on-demand",
  trigger: "cli",
  status,
  input: { mode: "incremental", dryRun: false },
  counts: { ...emptyCounts(), received: 3, created: 3 },
  rowsRead: 2,
  createdAt: 1_800_000_000_000,
  ...extra,
});
/** A JSON response payload (the SDK hands back bytes; the blob adapter's helpers are not used by the CLI). */
const blob = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput["Payload"];
const payload = (value: unknown) => ({ StatusCode: 200, Payload: blob(value) });
/** The operations the CLI sent, in order. */
const sent = () =>
  lambda
    .commandCalls(InvokeCommand)
    .map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)));

function stackOutputs(outputs: { OutputKey: string; OutputValue: string }[]) {
  cloudformation.on(DescribeStacksCommand).resolves({
    Stacks: [
      { StackName: "VendorSync-dev", StackStatus: "UPDATE_COMPLETE", CreationTime: new Date(), Outputs: outputs },
    ],
  });
}

async function cli(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runWith(argv, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t), interactive: false },
    jobs: {
      aws: {
        lambda: new LambdaClient({ region: "eu-central-1" }),
        cloudformation: new CloudFormationClient({ region: "eu-central-1" }),
      },
      sleep: async () => {},
    },
  });
  return { code, stdout, stderr };
}

describe("--target aws (aws-sdk-client-mock; not verified against AWS)", () => {
  it("finds the on-demand function in the stack outputs, starts a sync and waits: exit 0 on SUCCEEDED", async () => {
    stackOutputs([{ OutputKey: "OnDemandFunctionName", OutputValue: FUNCTION }]);
    lambda
      .on(InvokeCommand)
      .resolvesOnce(payload({ ok: true, started: true, job: job("QUEUED") }))
      .resolvesOnce(payload({ ok: true, job: job("RUNNING") }))
      .resolvesOnce(payload({ ok: true, job: job("SUCCEEDED", { durationMs: 1200 }) }));

    const run = await cli([
      "sync",
      "--vendor",
      "shopify-demo",
      "--target",
      "aws",
      "--stage",
      "dev",
      "--wait",
      "--json",
    ]);

    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "SUCCEEDED" });
    expect(cloudformation.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: "VendorSync-dev",
    });
    expect(lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input.FunctionName)).toEqual([
      FUNCTION,
      FUNCTION,
      FUNCTION,
    ]);
    expect(sent()).toEqual([
      {
        operation: "startSync",
        vendorId: "shopify-demo",
        mode: "incremental",
        dryRun: false,
        trigger: "cli",
        requestedBy: "vendor-sync cli",
      },
      { operation: "getJob", jobId: "01JQ0000000000000000000000" },
      { operation: "getJob", jobId: "01JQ0000000000000000000000" },
    ]);
    expect(run.stderr).toMatch(/not verified against AWS/);
  });

  it("exits 2 for a PARTIAL job and 1 for a FAILED one", async () => {
    for (const [status, code] of [
      ["PARTIAL", 2],
      ["FAILED", 1],
      ["CANCELLED", 1],
    ] as const) {
      lambda.reset();
      lambda
        .on(InvokeCommand)
        .resolvesOnce(payload({ ok: true, started: true, job: job("QUEUED") }))
        .resolvesOnce(payload({ ok: true, job: job(status) }));
      const run = await cli([
        "sync",
        "--vendor",
        "shopify-demo",
        "--target",
        "aws",
        "--function-name",
        FUNCTION,
        "--wait",
      ]);
      expect(run.code, status).toBe(code);
    }
    expect(cloudformation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it("passes --full and --dry-run, and returns at once without --wait", async () => {
    lambda.on(InvokeCommand).resolves(payload({ ok: true, started: true, job: job("QUEUED") }));
    const run = await cli([
      "sync",
      "--vendor",
      "shopify-demo",
      "--full",
      "--dry-run",
      "--target",
      "aws",
      "--function-name",
      FUNCTION,
      "--json",
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "QUEUED" });
    expect(sent()).toEqual([expect.objectContaining({ operation: "startSync", mode: "full", dryRun: true })]);
  });

  it("fails (exit 1) with the function's refusal: a sync already running", async () => {
    lambda.on(InvokeCommand).resolves(
      payload({
        ok: false,
        error: {
          name: "SyncAlreadyRunningError",
          message: "vendor shopify-demo already has sync job 01JQ… queued or running",
          statusCode: 409,
          runningJobId: "01JQ",
        },
      }),
    );
    const run = await cli([
      "sync",
      "--vendor",
      "shopify-demo",
      "--target",
      "aws",
      "--function-name",
      FUNCTION,
      "--json",
    ]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { message: expect.stringMatching(/already has sync job/) } });
  });

  it("fails (exit 1) when the function itself errors, and when the stack has no such output", async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: blob({ errorType: "TransientError", errorMessage: "DynamoDB throttled" }),
    });
    const errored = await cli(["job", "01JQ0000000000000000000000", "--target", "aws", "--function-name", FUNCTION]);
    expect(errored.code).toBe(1);
    expect(errored.stderr).toMatch(/TransientError.*DynamoDB throttled/);

    stackOutputs([{ OutputKey: "AdminApiUrl", OutputValue: "https://example" }]);
    const noOutput = await cli(["jobs", "--target", "aws", "--stage", "dev"]);
    expect(noOutput.code).toBe(1);
    expect(noOutput.stderr).toMatch(/no OnDemandFunctionName output/);
  });

  it("lists jobs and cancels one through the same function", async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(payload({ ok: true, jobs: [job("SUCCEEDED")] }))
      .resolvesOnce(payload({ ok: true, job: job("RUNNING", { cancelRequestedAt: 1_800_000_001_000 }) }));
    const listed = await cli([
      "jobs",
      "--vendor",
      "shopify-demo",
      "--limit",
      "5",
      "--target",
      "aws",
      "--function-name",
      FUNCTION,
      "--json",
    ]);
    expect(JSON.parse(listed.stdout).jobs).toHaveLength(1);
    const cancelled = await cli([
      "job",
      "01JQ0000000000000000000000",
      "--cancel",
      "--target",
      "aws",
      "--function-name",
      FUNCTION,
    ]);
    expect(cancelled.stdout).toMatch(/cancel requested/);
    expect(sent()).toEqual([
      { operation: "listJobs", vendorId: "shopify-demo", limit: 5 },
      { operation: "cancelJob", jobId: "01JQ0000000000000000000000", requestedBy: "vendor-sync cli" },
    ]);
  });
});
