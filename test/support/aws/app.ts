/**
 * The app as the test run's `npx cdk synth` wrote it (its cloud assembly: templates and bundles),
 * for the AWS contract tests — no synthesis of their own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cliSynthesis } from "../cli-synth.ts";
import type { SynthesizedStack } from "./cloudformation.ts";

interface AssemblyManifest {
  readonly artifacts: Record<
    string,
    { readonly type: string; readonly environment?: string; readonly properties?: { readonly templateFile?: string } }
  >;
}

/**
 * The stacks of the run's cloud assembly, each with its region (`aws://unknown-account/<region>`).
 * @throws Error with the end of the CLI's output when the synthesis failed.
 */
export async function synthesizedAssembly(): Promise<{ stacks: SynthesizedStack[]; assemblyDir: string }> {
  const run = await cliSynthesis();
  if (run.status !== 0)
    throw new Error(`npx cdk synth failed (${run.status ?? run.signal}):\n${run.output.slice(-3000)}`);
  const manifest = JSON.parse(readFileSync(join(run.assemblyDir, "manifest.json"), "utf8")) as AssemblyManifest;
  const stacks = Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === "aws:cloudformation:stack")
    .map(([stackName, artifact]) => ({
      stackName,
      region: String(artifact.environment).split("/").at(-1) ?? "",
      template: JSON.parse(readFileSync(join(run.assemblyDir, artifact.properties?.templateFile ?? ""), "utf8")),
    }));
  return { stacks, assemblyDir: run.assemblyDir };
}
