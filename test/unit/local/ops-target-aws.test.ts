import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { runWith } from "../../../local/cli.ts";

const lambda = mockClient(LambdaClient);
const cloudformation = mockClient(CloudFormationClient);
afterEach(() => {
  lambda.reset();
  cloudformation.reset();
});

async function cli(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runWith(argv, {
    io: { out: (t) => (out += t), err: (t) => (err += t), interactive: false },
    jobs: {
      aws: {
        lambda: new LambdaClient({ region: "eu-central-1" }),
        cloudformation: new CloudFormationClient({ region: "eu-central-1" }),
      },
    },
  });
  return { code, out, err };
}

const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

describe("operations with --target aws (a thin adapter over the admin-operations function)", () => {
  it("finds the function in the stage's stack outputs and invokes it with the command", async () => {
    cloudformation.on(DescribeStacksCommand, { StackName: "VendorSync-prod" }).resolves({
      Stacks: [
        {
          StackName: "VendorSync-prod",
          CreationTime: new Date(),
          StackStatus: "CREATE_COMPLETE",
          Outputs: [{ OutputKey: "AdminOperationsFunctionName", OutputValue: "vs-admin-ops" }],
        },
      ],
    });
    lambda.on(InvokeCommand).resolves({
      Payload: payload({
        queues: [{ queue: "realtime", deadLetterQueue: "realtime-dlq", messages: 0, deadLetters: 3 }],
      }),
    });
    const run = await cli(["dlq", "list", "--target", "aws", "--stage", "prod", "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      queues: [{ queue: "realtime", deadLetterQueue: "realtime-dlq", messages: 0, deadLetters: 3 }],
    });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe("vs-admin-ops");
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({ action: "dlq.list" });
    expect(run.err).toMatch(/not verified against AWS/);
  });

  it("sends a resolution with who resolves it", async () => {
    lambda.on(InvokeCommand).resolves({
      Payload: payload({
        conflict: { resolution: { action: "accept", by: "ops" } },
        record: { version: 3 },
        written: true,
      }),
    });
    const run = await cli([
      "conflicts",
      "resolve",
      "c-1",
      "--accept",
      "--by",
      "ops",
      "--target",
      "aws",
      "--function-name",
      "fn",
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/resolved \(accept\) by ops; record now at version 3/);
    const sent = JSON.parse(
      new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0]?.args[0].input.Payload as Uint8Array),
    );
    expect(sent).toEqual({
      action: "conflicts.resolve",
      conflictId: "c-1",
      resolution: { action: "accept" },
      by: "ops",
    });
  });

  it("fails with exit 1 and the function's error when the operation is refused", async () => {
    lambda.on(InvokeCommand).resolves({
      FunctionError: "Unhandled",
      Payload: payload({
        errorType: "ConcurrentUpdateError",
        errorMessage: "conflict c-1 was already resolved by alice",
      }),
    });
    const run = await cli(["conflicts", "resolve", "c-1", "--reject", "--target", "aws", "--function-name", "fn"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/ConcurrentUpdateError: conflict c-1 was already resolved by alice/);
  });

  it("fails clearly when the stack has no such output (not deployed, another stage)", async () => {
    cloudformation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: "VendorSync-dev", CreationTime: new Date(), StackStatus: "CREATE_COMPLETE", Outputs: [] }],
    });
    const run = await cli(["vendor", "pause", "--vendor", "canonical", "--target", "aws"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/stack VendorSync-dev has no AdminOperationsFunctionName output/);
  });

  it("replays a window in as many invokes as the function's time budget needs, continuing where each stopped", async () => {
    const slice = (found: number, complete: boolean, resumeAfter?: string) =>
      payload({
        vendorId: "canonical",
        found,
        queued: found,
        ignored: 0,
        unmappable: [],
        dryRun: false,
        complete,
        ...(resumeAfter ? { resumeAfter } : {}),
      });
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ Payload: slice(400, false, "webhooks/canonical/2026/11/29/1795950000000-evt_400.json") })
      .resolvesOnce({ Payload: slice(150, true) });
    const run = await cli([
      "replay",
      "--vendor",
      "canonical",
      "--since",
      "2026-11-29T06:00:00Z",
      "--target",
      "aws",
      "--function-name",
      "fn",
      "--json",
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ vendorId: "canonical", found: 550, queued: 550, calls: 2 });
    const sent = lambda
      .commandCalls(InvokeCommand)
      .map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)));
    expect(sent).toEqual([
      { action: "webhooks.replay", vendorId: "canonical", since: "2026-11-29T06:00:00Z" },
      {
        action: "webhooks.replay",
        vendorId: "canonical",
        since: "2026-11-29T06:00:00Z",
        after: "webhooks/canonical/2026/11/29/1795950000000-evt_400.json",
      },
    ]);
  });

  it("refuses a stage that has no config file, before calling AWS", async () => {
    const run = await cli(["dlq", "list", "--target", "aws", "--stage", "nosuch"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('no stage "nosuch": there is no config/stages/nosuch.json');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(cloudformation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it("says what to do when there are no AWS credentials, without a stack trace", async () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    lambda.on(InvokeCommand).rejects(noCredentials);
    const run = await cli(["dlq", "list", "--target", "aws", "--function-name", "fn"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/no AWS credentials found; sign in/);
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});
