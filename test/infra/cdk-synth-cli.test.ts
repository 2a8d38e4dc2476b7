import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";

describe("npx cdk synth", () => {
  // The CLI runs validations the in-process synth does not (CloudFormation template checks), so the
  // command a user types is run as they would run it.
  it("synthesizes the default stage with no arguments, cdk-nag and template validation clean", () => {
    const out = join(tempDir("cdk-out-"), "cdk.out");
    const run = spawnSync(
      process.execPath,
      [repoPath("node_modules/aws-cdk/bin/cdk"), "synth", "-q", "--output", out],
      {
        cwd: repoPath("."),
        encoding: "utf8",
        env: { ...process.env, CDK_DISABLE_VERSION_CHECK: "1" },
        timeout: 120_000,
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output, output.slice(-3000)).not.toMatch(/\bERROR\b/);
    expect(run.status, output.slice(-3000)).toBe(0);
    expect(output).toMatch(/Successfully synthesized/);
  }, 120_000);
});
