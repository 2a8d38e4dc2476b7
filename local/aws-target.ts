import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ValidationError } from "../lambdas/core/errors.ts";
import { loadStageConfig } from "../lib/config/stage-config.ts";

/**
 * The region `--target aws` talks to: `--region`, else the stage's `region` in
 * `config/stages/<stage>.json` (where `cdk deploy` put the stack), else the AWS SDK's default chain.
 *
 * @throws {ValidationError} for a stage without a config file (`--stage`).
 * @throws {ConfigError} for a stage config that does not validate.
 */
export function regionForStage(stage: string, flag: string | undefined): { region?: string } {
  if (flag) return { region: flag };
  const file = fileURLToPath(new URL(`../config/stages/${stage}.json`, import.meta.url));
  if (!/^[a-z][a-z0-9]{1,15}$/.test(stage) || !existsSync(file)) {
    throw new ValidationError(`no stage "${stage}": there is no config/stages/${stage}.json`, { field: "--stage" });
  }
  const { region } = loadStageConfig(stage);
  return region ? { region } : {};
}

/** An AWS SDK failure the user fixes in their environment, said in one line with what to do. */
export class AwsSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AwsSetupError";
  }
}

/**
 * @returns an {@link AwsSetupError} for the SDK's "no region" and "no credentials" failures (so the CLI
 * prints a hint instead of a stack trace), or the error as it was.
 */
export function explainAwsError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === "CredentialsProviderError" || /Could not load credentials/i.test(error.message)) {
    return new AwsSetupError(
      "--target aws: no AWS credentials found; sign in (`aws sso login`, or set AWS_PROFILE / AWS_ACCESS_KEY_ID) and retry",
      { cause: error },
    );
  }
  if (/Region is missing/i.test(error.message)) {
    return new AwsSetupError(
      "--target aws: no AWS region; pass --region, set it in config/stages/<stage>.json, or set AWS_REGION",
      { cause: error },
    );
  }
  return error;
}
