import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { AdminCommand } from "../lambdas/admin-operations/admin-operations.ts";
import { runOnSandbox } from "./commands/operations.ts";
import { stackOutput } from "./jobs-client.ts";
import { RemoteOperationError } from "./remote-errors.ts";
import type { Sandbox } from "./sandbox.ts";

/** Where `conflicts`, `dlq` and `vendor` commands run: the sandbox, or the deployed admin-operations function. */
export interface AdminOpsClient {
  readonly target: string;
  run(command: AdminCommand): Promise<unknown>;
}

/** The same `runAdminCommand` the Lambda runs, on the sandbox's adapters. */
export class SandboxOpsClient implements AdminOpsClient {
  readonly target = "sandbox";
  readonly #sandbox: Sandbox;

  constructor(sandbox: Sandbox) {
    this.#sandbox = sandbox;
  }

  run(command: AdminCommand): Promise<unknown> {
    return runOnSandbox(this.#sandbox, command);
  }
}

/**
 * `--target aws`: invokes the admin-operations function (its name from the stateless stack's
 * `AdminOperationsFunctionName` output) with the command. A thin adapter over the same operations,
 * tested with aws-sdk-client-mock only — **not verified against a real AWS account**.
 */
export class AwsOpsClient implements AdminOpsClient {
  readonly target: string;
  readonly #lambda: LambdaClient;
  readonly #functionName: string;

  constructor(options: { lambda: LambdaClient; functionName: string }) {
    this.#lambda = options.lambda;
    this.#functionName = options.functionName;
    this.target = `AWS (${options.functionName})`;
  }

  /** Resolves the function from the stage's stack outputs unless a name is given. */
  static async forStage(options: {
    stage: string;
    region?: string;
    functionName?: string;
    lambda?: LambdaClient;
    cloudformation?: CloudFormationClient;
  }): Promise<AwsOpsClient> {
    const region = options.region ? { region: options.region } : {};
    const functionName =
      options.functionName ??
      (await stackOutput(
        options.cloudformation ?? new CloudFormationClient(region),
        `VendorSync-${options.stage}`,
        "AdminOperationsFunctionName",
      ));
    return new AwsOpsClient({ lambda: options.lambda ?? new LambdaClient(region), functionName });
  }

  async run(command: AdminCommand): Promise<unknown> {
    const response = await this.#lambda.send(
      new InvokeCommand({
        FunctionName: this.#functionName,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(command)),
      }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : "null";
    if (response.FunctionError) {
      const failure = JSON.parse(text) as { errorType?: string; errorMessage?: string } | null;
      throw new RemoteOperationError(
        `${failure?.errorType ?? response.FunctionError}: ${failure?.errorMessage ?? text}`,
      );
    }
    return JSON.parse(text);
  }
}
