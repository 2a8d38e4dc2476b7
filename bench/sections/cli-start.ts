/**
 * CLI start: wall time of `npx vendor-sync --help` and `npx vendor-sync records …` (a data
 * directory with its tables already created, no `serve` running) run from the project root as a user
 * types them — the system `npx`, with the PATH of the user's shell (`npm run` puts node_modules/.bin
 * first; it is taken out) — median of fresh processes after one unmeasured run (which compiles the CLI
 * if a source changed). For reference: `npx` running an empty `node -e 0` (what npx itself costs,
 * the floor under every figure), and the launcher started without npx.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { delimiter, join } from "node:path";
import { median, quantile } from "simple-statistics";
import { Figures } from "../lib/budget.ts";
import { ROOT } from "../lib/fixtures.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";

/** The budget of both commands (issue 13): median wall, ms. */
export const CLI_START_BUDGET_MS = 500;

/** The PATH of the user's shell: this process's without the directories `npm run` added. */
export function userPath(path = process.env.PATH ?? ""): string {
  return path
    .split(delimiter)
    .filter((dir) => !dir.split(/[\\/]/).includes("node_modules"))
    .join(delimiter);
}

/** @returns the wall time of one run, ms. @throws Error with its output when it does not exit 0. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: ROOT, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  return ms;
}

/** Median and p90 of `rounds` runs after one unmeasured run. */
function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv, rounds: number) {
  timed(command, args, env);
  const runs = Array.from({ length: rounds }, () => timed(command, args, env));
  return { medianMs: median(runs), p90Ms: quantile(runs, 0.9), runs };
}

export async function cliStartSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("cliStart");
  const rounds = options.quick ? 3 : 15;
  const env = { ...process.env, PATH: userPath() };
  const dataDir = mkdtempSync(join(options.tmpDir, "cli-start-"));
  const commands = {
    help: ["vendor-sync", "--help"],
    records: ["vendor-sync", "records", "--vendor", "canonical", "--data-dir", dataDir],
  } as const;
  const npxFloor = measure("npx", ["node", "-e", "0"], env, rounds);
  const details: Record<string, unknown> = { rounds, npxFloor };
  figures.info("npxFloor", "`npx node -e 0` (npx itself, under every figure below): median", npxFloor.medianMs, "ms");
  for (const [name, args] of Object.entries(commands)) {
    options.log(`cliStart: npx ${args.join(" ")} ×${rounds}`);
    const viaNpx = measure("npx", args, env, rounds);
    const direct = measure(process.execPath, [join(ROOT, "bin", "vendor-sync.mjs"), ...args.slice(1)], env, rounds);
    details[name] = { viaNpx, direct };
    figures.budget(
      name,
      `\`npx ${args.slice(0, 2).join(" ")}\`${name === "records" ? " … (no serve)" : ""}: median wall`,
      viaNpx.medianMs,
      "ms",
      "<=",
      CLI_START_BUDGET_MS,
      `p90 ${viaNpx.p90Ms.toFixed(0)} ms; without npx ${direct.medianMs.toFixed(0)} ms; npx alone ${npxFloor.medianMs.toFixed(0)} ms`,
    );
  }
  return { figures: figures.list, details };
}
