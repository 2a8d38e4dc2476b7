import cliProgress from "cli-progress";
import type { ImportProgress } from "../lambdas/core/import-pipeline.ts";
import { OUTCOMES } from "../lambdas/core/model.ts";
import type { ImportResult, ProgressReporter } from "./commands/import.ts";

/** Writes one JSON object on one line to stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A progress bar on stderr, shown only on a terminal. */
export function terminalProgress(label: string): ProgressReporter | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {rows} rows | {created} created {updated} updated {unchanged} unchanged {rejected} rejected`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (progress?: ImportProgress) => ({
    rows: progress?.rowsRead ?? 0,
    created: progress?.counts.created ?? 0,
    updated: progress?.counts.updated ?? 0,
    unchanged: progress?.counts.unchanged ?? 0,
    rejected: progress?.counts.rejected ?? 0,
  });
  return {
    start: (total) => bar.start(Math.max(total, 1), 0, payload()),
    update: (bytes, progress) => bar.update(bytes, payload(progress)),
    stop: () => bar.stop(),
  };
}

/** @returns the job summary table printed after an import. */
export function formatImportSummary(result: ImportResult): string {
  const lines = [
    `job ${result.jobId}  vendor ${result.vendorId}  ${result.status}  ${(result.durationMs / 1000).toFixed(2)} s`,
    `  rows read   ${String(result.rowsRead).padStart(8)}`,
    `  received    ${String(result.counts.received).padStart(8)}`,
    ...OUTCOMES.map((outcome) => `    ${outcome.padEnd(10)}${String(result.counts[outcome]).padStart(8)}`),
    `  rejects     ${result.rejectsFile ?? "none"}`,
  ];
  if (result.error) lines.push(`  error       ${result.error}`);
  return lines.join("\n");
}
