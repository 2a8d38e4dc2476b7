import { beforeAll, describe, expect, it } from "vitest";
import { type CliSynthResult, cliSynthesis } from "../support/cli-synth.ts";

describe("npx cdk synth", () => {
  // The CLI runs validations the in-process synth does not (CloudFormation template checks as errors,
  // cdk.json's feature flags), so the command a user types is run as they would run it: once per test
  // run, started with the run (test/support/cdk-synth-setup.ts); the infra tests read its templates.
  let run: CliSynthResult;
  beforeAll(async () => {
    run = await cliSynthesis();
  }, 0);

  it("synthesizes the default stage with no arguments, cdk-nag and template validation clean", () => {
    expect(run.output, run.output.slice(-3000)).not.toMatch(/\bERROR\b/);
    expect(run.status, run.output.slice(-3000)).toBe(0);
    expect(run.output).toMatch(/Successfully synthesized/);
  });
});
