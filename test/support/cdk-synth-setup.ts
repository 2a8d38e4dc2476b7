/**
 * Global setup of the infra tests: runs the real `cdk synth` CLI once per test run, in the background,
 * while the other tests run. The CLI proves the app synthesizes as a user runs it (cdk-nag and
 * CloudFormation template validation included, bundling included); the infra tests read their
 * templates from its cloud assembly instead of synthesizing the app again (see `synthesizedApp()`).
 *
 * When it ends, the run writes `result.json` ({@link CliSynthResult}) into the provided directory.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { CDK_SYNTH_RESULT, type CliSynthResult } from "./cli-synth.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "vendor-sync-synth-"));
  const assemblyDir = join(dir, "cdk.out");
  const child = spawn(
    process.execPath,
    [join(root, "node_modules/aws-cdk/bin/cdk"), "synth", "-q", "--output", assemblyDir],
    {
      cwd: root,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  let finished = false;
  const finish = (result: Omit<CliSynthResult, "assemblyDir" | "output">) => {
    if (finished) return;
    finished = true;
    const written: CliSynthResult = { ...result, output, assemblyDir };
    writeFileSync(join(dir, `${CDK_SYNTH_RESULT}.tmp`), JSON.stringify(written));
    renameSync(join(dir, `${CDK_SYNTH_RESULT}.tmp`), join(dir, CDK_SYNTH_RESULT));
  };
  const exited = new Promise<void>((resolve) => {
    child.on("error", (error) => {
      output += `\n${error.stack ?? error.message}`;
      finish({ status: null, signal: null });
      resolve();
    });
    child.on("close", (status, signal) => {
      finish({ status, signal });
      resolve();
    });
  });
  project.provide("cdkSynthDir", dir);
  return async () => {
    if (!finished) child.kill();
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
}
