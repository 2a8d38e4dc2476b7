import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Template } from "aws-cdk-lib/assertions";
import { inject } from "vitest";

/** The file `cdk-synth-setup.ts` writes into the provided directory when `cdk synth` has ended. */
export const CDK_SYNTH_RESULT = "result.json";

/** How the test run's `npx cdk synth` (default stage, no arguments) ended. */
export interface CliSynthResult {
  /** Exit code; null when it was killed or could not start. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they arrived. */
  readonly output: string;
  /** The cloud assembly it wrote (`--output`). */
  readonly assemblyDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Directory of the test run's `cdk synth` (see cdk-synth-setup.ts). */
    cdkSynthDir: string;
  }
}

/**
 * The test run's `npx cdk synth`, once it has ended. It starts with the run (the infra project's
 * global setup), so by the time an infra test asks it has usually finished; otherwise this waits,
 * with no time limit of its own: how long a synthesis takes depends on how busy the machine is.
 */
export async function cliSynthesis(): Promise<CliSynthResult> {
  const file = join(inject("cdkSynthDir"), CDK_SYNTH_RESULT);
  while (!existsSync(file)) await sleep(100);
  return JSON.parse(readFileSync(file, "utf8")) as CliSynthResult;
}

/**
 * The templates of the default (dev) stage as `npx cdk synth` wrote them, with the context of
 * cdk.json (feature flags) and the tags of bin/app.ts, as they would be deployed.
 * @throws Error with the end of the CLI's output when the synthesis failed.
 */
export async function synthesizedStacks(): Promise<{ stateful: Template; stateless: Template }> {
  const run = await cliSynthesis();
  if (run.status !== 0) {
    throw new Error(`npx cdk synth failed (${run.status ?? run.signal}):\n${run.output.slice(-3000)}`);
  }
  const template = (stackName: string) =>
    Template.fromJSON(JSON.parse(readFileSync(join(run.assemblyDir, `${stackName}.template.json`), "utf8")));
  return { stateful: template("VendorSync-dev-Stateful"), stateless: template("VendorSync-dev") };
}
