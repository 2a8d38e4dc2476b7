/**
 * `npm run demo`: the main job on the bundled real examples, in a fresh sandbox data directory.
 * Imports the Magento Luma catalog (twice: the second run is all unchanged with zero writes), two
 * Shopify-format exports, then a canonical feed that shows every outcome, and prints the open conflict.
 */
import "./sandbox-env.ts";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { relative } from "node:path";
import type { RejectEntry } from "../lambdas/core/import-pipeline.ts";
import { countsReconcile } from "../lambdas/core/outcomes.ts";
import type { ChangeResult } from "../lambdas/core/write-path.ts";
import { type ImportResult, importFile } from "./commands/import.ts";
import { currentOwner, resolveDataDir } from "./data-dir.ts";
import { formatConflict, formatImportSummary } from "./output.ts";
import { openSandbox, type Sandbox } from "./sandbox.ts";
import { countCommands } from "./sdk-call-counter.ts";

const say = (text = "") => process.stdout.write(`${text}\n`);
const heading = (text: string) => say(`\n\u001b[1m${text}\u001b[0m`);

async function step(
  sandbox: Sandbox,
  title: string,
  vendorId: string,
  file: string,
  asOf: string,
  options: { show?: boolean } = {},
): Promise<ImportResult> {
  heading(title);
  say(`  $ npx vendor-sync import --vendor ${vendorId} ${file} --as-of ${asOf}`);
  const shown: ChangeResult[] = [];
  const result = await importFile(sandbox, {
    vendorId,
    file,
    asOf,
    ...(options.show ? { onResults: (results: readonly ChangeResult[]) => shown.push(...results) } : {}),
  });
  if (!countsReconcile(result.counts)) throw new Error(`counts of job ${result.jobId} do not reconcile`);
  say(formatImportSummary(result));
  if (options.show) {
    // Rows refused before the write path are in the rejects file, as a user would find them.
    if (result.rejectsFile) {
      for (const line of readFileSync(result.rejectsFile, "utf8").trim().split("\n")) {
        const entry = JSON.parse(line) as RejectEntry;
        shown.push({
          vendorId,
          entityType: (entry.entityType ?? "?") as ChangeResult["entityType"],
          entityKey: entry.entityKey ?? "?",
          eventId: entry.eventId ?? "",
          outcome: entry.outcome,
          reason: entry.reason,
          ...(entry.line === undefined ? {} : { line: entry.line }),
        });
      }
    }
    say("  what became of each change:");
    for (const r of shown.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) {
      say(
        `    line ${String(r.line ?? "-").padStart(2)}  ${r.entityType.padEnd(9)} ${r.entityKey.padEnd(10)} ${r.outcome.padEnd(10)} ${r.reason ?? ""}`,
      );
    }
  }
  return result;
}

async function main(): Promise<void> {
  const dataDir = resolveDataDir(undefined);
  const owner = currentOwner(dataDir);
  if (owner) throw new Error(`${dataDir} is in use by process ${owner.pid} (${owner.command}); stop it first`);
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  say("Advanced Vendor Sync — demo on the bundled real examples");
  say(
    `data directory: ${relative(process.cwd(), dataDir) || dataDir} (fresh; inspect it afterwards with \`npx vendor-sync records --vendor <id>\`)`,
  );

  const sandbox = await openSandbox({ dataDir, command: "demo" });
  const calls = countCommands(sandbox.dynamo.client, "demoCounter");
  try {
    const magento = await step(
      sandbox,
      "1. Magento 2 Luma sample catalog — 1,994 rows, HTML cells with line breaks, no timestamps (as-of time used)",
      "magento-luma",
      "examples/magento-luma/configurable_products.csv",
      "2026-11-01T06:00:00Z",
    );
    const recordWrites = () => calls.get(`PutItemCommand@${sandbox.dynamo.tables.records}`) ?? 0;
    const putsBefore = recordWrites();
    const again = await step(
      sandbox,
      "2. The same file again — every change unchanged, zero writes",
      "magento-luma",
      "examples/magento-luma/configurable_products.csv",
      "2026-11-01T06:00:00Z",
    );
    say(`  PutItem calls on the records table during the re-import: ${recordWrites() - putsBefore}`);
    if (again.counts.unchanged !== magento.counts.received) throw new Error("re-import was not 100 % unchanged");

    await step(
      sandbox,
      "3. Shopify product export of 2025-03-01 — 47 columns (with Cost per item), continuation and image-only rows",
      "shopify-demo",
      "examples/shopify-demo/products_export_2025-03-01.csv",
      "2025-03-01T00:00:00-05:00",
    );
    await step(
      sandbox,
      "4. Shopify export of 2025-03-08 — 46 columns (Cost per item dropped: cost left as it was); Classic Varsity Top 60 → 54",
      "shopify-demo",
      "examples/shopify-demo/products_export_2025-03-08.csv",
      "2025-03-08T00:00:00-05:00",
    );

    await step(
      sandbox,
      "5a. Canonical feed — baseline",
      "canonical",
      "examples/canonical/01-baseline.jsonl",
      "2026-11-01T08:00:00Z",
    );
    await step(
      sandbox,
      "5b. Canonical feed — an internal edit (source: internal) renames 24-MB01",
      "canonical",
      "examples/canonical/02-internal-edit.jsonl",
      "2026-11-01T09:00:00Z",
    );
    await step(
      sandbox,
      "5c. Canonical feed — vendor updates: updated, unchanged, stale, price guard, manual review, a bad row, a delete",
      "canonical",
      "examples/canonical/03-vendor-updates.jsonl",
      "2026-11-01T10:00:00Z",
      { show: true },
    );

    heading("6. Open conflicts waiting for an admin");
    const open = await sandbox.sync.listConflicts("canonical");
    for (const conflict of open) say(formatConflict(conflict));
    say(`\n${open.length} open conflicts. Look around: npx vendor-sync records --vendor canonical --key 24-MB01`);
  } finally {
    await sandbox.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
