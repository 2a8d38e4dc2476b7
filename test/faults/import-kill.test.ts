/**
 * kill -9 of `vendor-sync import` at random points of its run (while it prepares, plans or applies),
 * then the next process on the data directory: the killed job ends FAILED (interrupted) with
 * received = sum of outcomes, no job is left RUNNING, the run's working files are gone, and a re-run
 * of the file accounts for every row.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JobView } from "../../lambdas/core/jobs/job.ts";
import { countsReconcile } from "../../lambdas/core/outcomes.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { between, LARGE_SCALE } from "./scale.ts";

const SCALE = LARGE_SCALE ? { rows: 30_000, kills: 4 } : { rows: 3_000, kills: 1 };
/** Where a run has got to, by the working files its stages leave (in the order they appear). */
const STAGES = ["normalised", "results/canonical/*/plan", "results/canonical/*/apply"] as const;

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGKILL");
});

function csv(rows: number): string {
  const file = join(tempDir(), "prices.csv");
  const lines = Array.from({ length: rows }, (_, i) => `price,K-${i},2026-11-01T00:00:00Z,${1 + (i % 90)}.${i % 10}0`);
  writeFileSync(file, `entityType,entityKey,sourceTs,attributes.amount\n${lines.join("\n")}\n`);
  return file;
}

/** Jobs with working files under `normalised/canonical/` or `results/canonical/` of the data directory's bucket. */
function jobsWithFiles(dataDir: string): Set<string> {
  const jobs = new Set<string>();
  for (const kind of ["normalised", "results"]) {
    const dir = join(dataDir, "bucket", kind, "canonical");
    if (existsSync(dir)) for (const job of readdirSync(dir)) jobs.add(job);
  }
  return jobs;
}

/**
 * Whether a job other than `earlier` (what killed runs left, which the new process removes as it
 * starts) has reached a stage, by its working files under the data directory's bucket.
 */
function reached(dataDir: string, stage: (typeof STAGES)[number], earlier: ReadonlySet<string>): boolean {
  const bucket = join(dataDir, "bucket");
  const kind = stage === "normalised" ? "normalised" : "results";
  const dir = join(bucket, kind, "canonical");
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((job) => {
    if (earlier.has(job)) return false;
    if (stage === "normalised") return true;
    const stageDir = join(dir, job, stage.split("/")[3] as string);
    return existsSync(stageDir) && readdirSync(stageDir).length > 0;
  });
}

/** Starts an import and kills it with SIGKILL once it has reached `stage`. @returns whether it was killed before it ended. */
async function killDuring(dataDir: string, file: string, stage: (typeof STAGES)[number]): Promise<boolean> {
  const earlier = jobsWithFiles(dataDir);
  const run = spawn(
    process.execPath,
    [repoPath("bin/vendor-sync.mjs"), "import", "--vendor", "canonical", file, "--json", "--data-dir", dataDir],
    {
      cwd: repoPath("."),
      stdio: "ignore",
    },
  );
  child = run;
  const exited = new Promise<void>((resolve) => run.once("exit", () => resolve()));
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  while (!ended && !reached(dataDir, stage, earlier)) await new Promise((resolve) => setTimeout(resolve, 10));
  const killed = !ended;
  run.kill("SIGKILL");
  await exited;
  return killed;
}

const jobsOf = async (dataDir: string) => {
  const listed = await runCli(["jobs", "--vendor", "canonical", "--limit", "100", "--json", "--data-dir", dataDir]);
  expect(listed.code, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as { jobs: JobView[] }).jobs;
};

describe("vendor-sync import killed with SIGKILL", () => {
  it(
    `ends the killed job as interrupted, and a re-run accounts for all ${SCALE.rows} rows`,
    async () => {
      const dataDir = tempDir();
      const file = csv(SCALE.rows);
      const killedAt: string[] = [];
      for (let kill = 0; kill < SCALE.kills; kill++) {
        const stage = LARGE_SCALE
          ? (STAGES[between(0, STAGES.length - 1)] as (typeof STAGES)[number])
          : "results/canonical/*/apply";
        if (await killDuring(dataDir, file, stage)) killedAt.push(stage);
      }
      // The next process on the directory ends what the killed ones left.
      const jobs = await jobsOf(dataDir);
      expect(
        jobs.filter((job) => job.status === "RUNNING" || job.status === "QUEUED"),
        killedAt.join(", "),
      ).toEqual([]);
      const interrupted = jobs.filter((job) => job.status === "FAILED");
      expect(interrupted).toHaveLength(killedAt.length);
      for (const job of interrupted) {
        expect(job.errorSummary).toMatch(/^interrupted: /);
        expect(countsReconcile(job.counts), JSON.stringify(job.counts)).toBe(true);
        expect(job.counts.received).toBeLessThanOrEqual(SCALE.rows);
      }
      for (const kind of ["normalised", "changesets", "results"]) {
        const dir = join(dataDir, "bucket", kind, "canonical");
        expect(existsSync(dir) ? readdirSync(dir) : [], kind).toEqual([]);
      }

      const rerun = await runCli(["import", "--vendor", "canonical", file, "--json", "--data-dir", dataDir]);
      expect(rerun.code, rerun.stderr).toBe(0);
      const summary = JSON.parse(rerun.stdout) as { status: string; counts: Record<string, number> };
      expect(summary.status).toBe("SUCCEEDED");
      expect(summary.counts.received).toBe(SCALE.rows);
      expect((summary.counts.created ?? 0) + (summary.counts.unchanged ?? 0)).toBe(SCALE.rows);
      // What the killed runs wrote is unchanged now: their written counts match.
      const written = interrupted.reduce((sum, job) => sum + job.counts.created, 0);
      expect(summary.counts.unchanged).toBe(written);
    },
    LARGE_SCALE ? 900_000 : 120_000,
  );
});
