/**
 * 5. Memory: RSS of the streaming pipeline (read → normalise → plan into a counting sink) on
 * generated Magento CSV and canonical JSON Lines files of two sizes, each in a fresh process (the
 * worker bundled by esbuild like a Lambda, run by plain `node`), sampled every 20 ms and checked
 * against the kernel's high-water mark; plus one smaller end-to-end import into the store.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ownModuleUrls } from "../../bin/compile-cli.mjs";
import { VENDOR_CONFIG_DIR } from "../../config/load-vendors.ts";
import { STREAMING_NODE_OPTIONS } from "../../lib/constructs/vendor-sync-function.ts";
import { Figures } from "../lib/budget.ts";
import { ROOT, writeCanonicalJsonl, writeMagentoCsv } from "../lib/fixtures.ts";
import { lastJsonLine, startDynaliteProcess, workerPath } from "../lib/processes.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";

const MB = 1024 * 1024;

/** Bundles a worker for plain `node` (dependencies resolved from the project's node_modules). */
async function bundleWorker(name: string, dir: string): Promise<string> {
  const outfile = join(dir, name.replace(/\.ts$/, ".mjs"));
  await build({
    entryPoints: [workerPath(name)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    logLevel: "error",
    // Modules that read files beside them (the batch state machine's definition) find them.
    plugins: [ownModuleUrls],
  });
  return outfile;
}

/** The V8 flags the streaming functions run with on Lambda (prepare, the pull worker). */
const STREAMING_V8_FLAGS = STREAMING_NODE_OPTIONS.split(" ").filter((flag) => flag.startsWith("--max-"));

/** Runs a bundled worker (with `v8Flags` before the script) and returns its last JSON line. */
function runWorker<T>(file: string, args: readonly string[], v8Flags: readonly string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...v8Flags, file, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      POWERTOOLS_DEV: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
  });
  return lastJsonLine<T>(child);
}

interface PipelineRun {
  readonly rows: number;
  readonly changes: number;
  readonly planned: number;
  readonly seconds: number;
  readonly baselineRss: number;
  readonly peakRss: number;
  readonly samples: readonly [number, number][];
}

export async function memorySection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("memory");
  const dir = join(options.tmpDir, "memory");
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  const pipeline = await bundleWorker("pipeline-rss.ts", dir);
  const importer = await bundleWorker("import-rss.ts", dir);
  const [small, large] = options.quick ? [8 * MB, 32 * MB] : [250 * MB, 1024 * MB];
  const label = (bytes: number) => (bytes >= 1024 * MB ? `${bytes / 1024 / MB} GB` : `${bytes / MB} MB`);
  const scale = options.quick ? " (quick: smaller files)" : "";
  const details: Record<string, unknown> = { sizes: [small, large] };

  for (const [syntax, vendorId] of [
    ["csv", "magento-luma"],
    ["jsonl", "canonical"],
  ] as const) {
    const peaks: number[] = [];
    for (const size of [small, large]) {
      const file = join(dir, `catalog-${size}.${syntax}`);
      options.log(`memory: ${syntax} ${label(size)}`);
      if (syntax === "csv") await writeMagentoCsv(file, { minBytes: size });
      else await writeCanonicalJsonl(file, size);
      try {
        const run = await runWorker<PipelineRun>(pipeline, [file, vendorId, VENDOR_CONFIG_DIR], STREAMING_V8_FLAGS);
        peaks.push(run.peakRss);
        details[`${syntax}-${label(size)}`] = run;
        figures.budget(
          `${syntax}.${label(size).replace(" ", "")}`,
          `pipeline RSS, ${syntax.toUpperCase()} ${label(size)}${scale}`,
          run.peakRss / MB,
          "MB",
          "<=",
          160,
          `${run.changes} changes in ${run.seconds.toFixed(0)} s (${(size / MB / run.seconds).toFixed(1)} MB/s), baseline ${(run.baselineRss / MB).toFixed(0)} MB`,
        );
      } finally {
        rmSync(file, { force: true });
      }
    }
    figures.budget(
      `${syntax}.growth`,
      `pipeline RSS growth ${label(small)} → ${label(large)}, ${syntax.toUpperCase()}`,
      ((peaks[1] as number) - (peaks[0] as number)) / MB,
      "MB",
      "<=",
      10,
    );
  }

  // One end-to-end import into the store (dynalite in its own process, so its data is not counted).
  const dynamo = await startDynaliteProcess();
  const file = join(dir, "e2e.csv");
  try {
    const { rows } = await writeMagentoCsv(file, { minRows: options.quick ? 1_000 : 12_000 });
    options.log(`memory: end-to-end import of ${rows} rows`);
    const run = await runWorker<{ changes: number; seconds: number; peakRss: number; baselineRss: number }>(importer, [
      dynamo.endpoint,
      file,
      "magento-luma",
      VENDOR_CONFIG_DIR,
      dir,
    ]);
    details.endToEnd = run;
    figures.budget(
      "importE2e",
      `end-to-end import RSS (${run.changes} changes into the store)`,
      run.peakRss / MB,
      "MB",
      "<=",
      160,
      `all stages in one process, store in another; ${run.seconds.toFixed(0)} s`,
    );
  } finally {
    rmSync(file, { force: true });
    await dynamo.close();
  }
  return { figures: figures.list, details };
}
