/**
 * Sandbox import: `vendor-sync import` of the bundled Magento catalog (1,994 rows, 5,835 creates) on
 * a fresh data directory, two ways.
 *
 * - **Wall**: the command as a user types it from the project root (`npx vendor-sync import --vendor
 *   magento-luma --data-dir <fresh> examples/magento-luma/configurable_products.csv`, the PATH of the
 *   user's shell), process start to exit; median of fresh data directories after one unmeasured run.
 * - **Throughput beside raw conditional PutItem**: in this process, a sandbox opened as the CLI opens
 *   it (`openSandbox` on a fresh data directory: the embedded store on LevelDB, reached in process)
 *   runs `importFile`; its apply stage's rate (creates from the first to the last write of the apply
 *   Map) is set beside raw conditional PutItem (`attribute_not_exists`) of the very items the import
 *   wrote, on another fresh data directory of the same kind, at the import's write concurrency (the
 *   change interpreter's), in the same process. Rounds alternate; the best of each counts. The whole
 *   import's rate (prepare, plan, validate, apply, commit) is reported beside it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { median } from "simple-statistics";
import { DEFAULT_WRITE_CONCURRENCY } from "../../lambdas/core/changes/interpreter.ts";
import { importFile } from "../../local/commands/import.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { openSandboxStore } from "../../local/sandbox-store.ts";
import { Figures } from "../lib/budget.ts";
import { MAGENTO_CSV, ROOT } from "../lib/fixtures.ts";
import { putAbsent } from "../lib/raw-puts.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";
import { userPath } from "./cli-start.ts";

/** Budgets (issue 13): wall of the command, ms; apply rate ÷ raw PutItem rate. */
export const MAGENTO_IMPORT_BUDGET_MS = 4_000;
export const IMPORT_VS_RAW_BUDGET = 0.9;

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

/** @returns the wall time of one `npx vendor-sync import` on a fresh data directory, ms. */
function timedImport(tmpDir: string, env: NodeJS.ProcessEnv): number {
  const dataDir = mkdtempSync(join(tmpDir, "import-wall-"));
  const args = ["vendor-sync", "import", "--vendor", "magento-luma", "--data-dir", dataDir, "--json", MAGENTO_CSV];
  const started = process.hrtime.bigint();
  const run = spawnSync("npx", args, { cwd: ROOT, env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  rmSync(dataDir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`npx ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  const created = (JSON.parse(run.stdout) as { counts: { created: number } }).counts.created;
  if (created !== 5_835) throw new Error(`the import created ${created} records, not 5,835`);
  return ms;
}

/** One in-process import: the whole import's and its apply stage's seconds, and the items it wrote. */
async function importRound(tmpDir: string) {
  const sandbox = await openSandbox({ dataDir: mkdtempSync(join(tmpDir, "import-")), command: "bench", log: quiet });
  try {
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    const interpreter = sandbox.interpreter;
    const timedReplay: typeof interpreter.replay = async (entries, jobId) => {
      first = Math.min(first, performance.now());
      const results = await interpreter.replay(entries, jobId);
      last = performance.now();
      return results;
    };
    const timedInterpreter = Object.assign(Object.create(interpreter), { replay: timedReplay });
    const started = performance.now();
    const result = await importFile({ ...sandbox, interpreter: timedInterpreter } as Sandbox, {
      vendorId: "magento-luma",
      file: MAGENTO_CSV,
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.counts.created !== 5_835) throw new Error(`the import created ${result.counts.created} records`);
    return { created: result.counts.created, seconds, applySeconds: (last - first) / 1000, items: await scan(sandbox) };
  } finally {
    await sandbox.close();
  }
}

/** Every item of the records table. */
async function scan(sandbox: Sandbox): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await sandbox.dynamo.client.send(
      new ScanCommand({ TableName: sandbox.dynamo.tables.records, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Raw conditional PutItem of `items` on a fresh data directory, `inFlight` at a time: seconds. */
async function rawRound(tmpDir: string, items: readonly Record<string, AttributeValue>[], inFlight: number) {
  const store = await openSandboxStore({ dataDir: mkdtempSync(join(tmpDir, "raw-")), command: "bench" });
  try {
    const started = performance.now();
    await putAbsent(store.dynamo.client, store.dynamo.tables.records, items, (item) => item, inFlight);
    return (performance.now() - started) / 1000;
  } finally {
    await store.close();
  }
}

export async function sandboxImportSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("sandboxImport");
  const wallRuns = options.quick ? 1 : 7;
  const rounds = options.quick ? 1 : 3;
  const env = { ...process.env, PATH: userPath() };

  options.log(`sandboxImport: npx vendor-sync import (Magento, fresh data directory) ×${wallRuns}`);
  timedImport(options.tmpDir, env);
  const walls = Array.from({ length: wallRuns }, () => timedImport(options.tmpDir, env));

  const imports: { created: number; seconds: number; applySeconds: number }[] = [];
  const raws: number[] = [];
  for (let round = 0; round < rounds; round++) {
    options.log(`sandboxImport: in-process import and raw PutItem, round ${round + 1} of ${rounds}`);
    const { items, ...run } = await importRound(options.tmpDir);
    imports.push(run);
    raws.push(await rawRound(options.tmpDir, items, DEFAULT_WRITE_CONCURRENCY));
  }
  const created = imports[0]?.created ?? 0;
  const applyRate = Math.max(...imports.map((run) => run.created / run.applySeconds));
  const importRate = Math.max(...imports.map((run) => run.created / run.seconds));
  const rawRate = Math.max(...raws.map((seconds) => created / seconds));

  figures.budget(
    "magentoWall",
    "`npx vendor-sync import` Magento (5,835 creates, fresh data directory): median wall",
    median(walls),
    "ms",
    "<=",
    MAGENTO_IMPORT_BUDGET_MS,
    `process start to exit; ${wallRuns} runs after one unmeasured: ${walls.map((ms) => ms.toFixed(0)).join(", ")} ms`,
  );
  figures.budget(
    "applyVsRawPut",
    "sandbox import (apply stage) / raw conditional PutItem, same store and concurrency",
    applyRate / rawRate,
    "ratio",
    ">=",
    IMPORT_VS_RAW_BUDGET,
    `${applyRate.toFixed(0)} vs ${rawRate.toFixed(0)} creates/s, ${DEFAULT_WRITE_CONCURRENCY} in flight, best of ${rounds}`,
  );
  figures.info("applyRate", "sandbox import, apply stage: creates/s", applyRate, "creates/s");
  figures.info("rawPutRate", "raw conditional PutItem, in-process store on disk: creates/s", rawRate, "creates/s");
  figures.info("importRate", "sandbox import, whole job (all stages): creates/s", importRate, "creates/s");
  figures.info("importVsRawPut", "sandbox import, whole job / raw conditional PutItem", importRate / rawRate, "ratio");
  return {
    figures: figures.list,
    details: { wallRuns: walls, rounds: imports, rawSeconds: raws, inFlight: DEFAULT_WRITE_CONCURRENCY },
  };
}
