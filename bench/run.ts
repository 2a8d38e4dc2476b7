/**
 * `npm run bench [-- --quick] [-- --only cpu,bundles] [-- --strict]`: measures the figures of
 * docs/architecture.md ("Performance and cost targets") on this machine, prints them against their targets and writes the whole run as JSON
 * to a new file under bench/results/. Not part of `npm test`. `--strict` exits 1 when a budget fails.
 */
import "../local/sandbox-env.ts";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import Table from "cli-table3";
import { budgetsOf, type Figure } from "./lib/budget.ts";
import { ROOT } from "./lib/fixtures.ts";
import type { SectionOptions, SectionResult } from "./lib/section.ts";
import { bundlesSection } from "./sections/bundles.ts";
import { cliStartSection } from "./sections/cli-start.ts";
import { type CostInputs, costSection } from "./sections/cost.ts";
import { cpuSection } from "./sections/cpu.ts";
import { memorySection } from "./sections/memory.ts";
import { type ImportRun, resyncSection } from "./sections/resync.ts";
import { sandboxImportSection } from "./sections/sandbox-import.ts";
import { serveIdleSection } from "./sections/serve-idle.ts";
import { servePricesSection } from "./sections/serve-prices.ts";
import { type IngestCpu, webhookSection } from "./sections/webhook.ts";
import { medianRound, type PhaseResult, writePathSection } from "./sections/write-path.ts";

const SECTIONS = {
  cpu: cpuSection,
  writePath: writePathSection,
  resync: resyncSection,
  bundles: bundlesSection,
  memory: memorySection,
  webhook: webhookSection,
  cliStart: cliStartSection,
  serveIdle: serveIdleSection,
  sandboxImport: sandboxImportSection,
  servePrices: servePricesSection,
} as const satisfies Record<string, (options: SectionOptions) => Promise<SectionResult>>;

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const strict = args.includes("--strict");
const onlyArg = args.find((a) => a.startsWith("--only"));
const only = onlyArg
  ? (onlyArg.includes("=") ? onlyArg.split("=")[1] : args[args.indexOf(onlyArg) + 1])?.split(",")
  : undefined;
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const git = (...argv: string[]) => {
  try {
    return execFileSync("git", argv, { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
};

const startedAt = new Date();
const tmpDir = mkdtempSync(join(tmpdir(), "vendor-sync-bench-"));
const options: SectionOptions = { quick, tmpDir, log };
const sections: Record<string, SectionResult | { error: string }> = {};
const figures: Figure[] = [];
try {
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name) && !(only.includes("cost") && ["writePath", "resync", "webhook"].includes(name))) {
      continue;
    }
    log(`${name}…`);
    const started = performance.now();
    try {
      const result = await run(options);
      sections[name] = result;
      figures.push(...result.figures);
    } catch (error) {
      sections[name] = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      log(`${name} failed: ${String(error)}`);
    }
    log(`${name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const details = (name: string) => (sections[name] as SectionResult | undefined)?.details;
  const webhook = details("webhook");
  const writePath = details("writePath");
  const resync = details("resync");
  if (webhook && writePath && resync) {
    const inputs: CostInputs = {
      ingest: webhook.ingest as IngestCpu,
      writePath: medianRound(writePath.writePath as PhaseResult[]),
      first: resync.first as ImportRun,
      resync: resync.resync as ImportRun,
    };
    const result = costSection(inputs);
    sections.cost = result;
    figures.push(...result.figures);
  }
} finally {
  rmSync(tmpDir, { recursive: true, force: true });
}

const budgets = budgetsOf(figures);
const failed = budgets.filter((b) => !b.pass);
const finishedAt = new Date();
const report = {
  schema: 1,
  mode: quick ? "quick" : "full",
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  },
  git: {
    commit: git("rev-parse", "HEAD"),
    branch: git("rev-parse", "--abbrev-ref", "HEAD"),
    dirty: !!git("status", "--porcelain"),
  },
  summary: { budgets: budgets.length, passed: budgets.length - failed.length, failed: failed.map((b) => b.id) },
  budgets,
  figures,
  sections,
};
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
const file = join(ROOT, "bench", "results", `${startedAt.toISOString().replace(/[:.]/g, "-")}-${report.mode}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);

const format = (n: number) =>
  Math.abs(n) >= 100
    ? n.toFixed(0)
    : Math.abs(n) >= 1
      ? n.toFixed(2)
      : Math.abs(n) >= 0.01
        ? n.toFixed(3)
        : n.toPrecision(3);
const table = new Table({
  head: ["section", "figure", "value", "target", "result"],
  wordWrap: true,
  colWidths: [12, 62, 16, 12, 8],
});
for (const f of figures) {
  table.push([
    f.section,
    f.label,
    `${format(f.value)} ${f.unit}`,
    f.target === undefined ? "" : `${f.comparator} ${format(f.target)}`,
    f.pass === undefined ? "" : f.pass ? "pass" : "FAIL",
  ]);
}
process.stdout.write(`${table.toString()}\n`);
process.stdout.write(
  `${budgets.length - failed.length} of ${budgets.length} budgets pass (${report.mode} run, ${report.durationSeconds.toFixed(0)} s); written to ${file}\n`,
);
if (failed.length > 0) process.stdout.write(`over budget: ${failed.map((b) => b.id).join(", ")}\n`);
// The largest inputs (esbuild metafile) of every bundle over a budget.
const bundleDetails = (sections.bundles as SectionResult | undefined)?.details?.functions as
  | { name: string; largestInputs: { input: string; bytes: number }[] }[]
  | undefined;
for (const fn of bundleDetails ?? []) {
  if (!failed.some((b) => b.id.startsWith(`bundles.${fn.name}.`))) continue;
  const inputs = fn.largestInputs.map((i) => `${i.input} ${(i.bytes / 1024).toFixed(1)} KB`).join(", ");
  process.stdout.write(`  ${fn.name}: largest inputs ${inputs}\n`);
}
process.exitCode = strict && failed.length > 0 ? 1 : 0;
