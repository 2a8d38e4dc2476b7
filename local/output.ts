import cliProgress from "cli-progress";
import type { ImportProgress } from "../lambdas/core/import-pipeline.ts";
import type { JobView } from "../lambdas/core/jobs/job.ts";
import { OUTCOMES } from "../lambdas/core/model.ts";
import type { ConflictItem } from "../lambdas/core/ports.ts";
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

/** @returns the job summary printed after an import: status, rows, and counts that visibly add up. */
export function formatImportSummary(result: ImportResult): string {
  const outcomes = OUTCOMES.map((outcome) => `${outcome} ${result.counts[outcome]}`).join(" + ");
  const lines = [
    `job ${result.jobId}  ${result.vendorId}  ${result.status} in ${(result.durationMs / 1000).toFixed(2)} s  (${result.rowsRead} rows read)`,
    `  received ${result.counts.received} = ${outcomes}`,
    `  rejects: ${result.rejectsFile ?? "none"}`,
  ];
  if (result.error) lines.push(`  error: ${result.error}`);
  return lines.join("\n");
}

/** @returns one conflict as a reviewer reads it: what, why, and the field diff. */
export function formatConflict(conflict: ConflictItem): string {
  const lines = [
    `conflict ${conflict.conflictId}  ${conflict.status}  ${conflict.vendorId} ${conflict.entityType} ${conflict.entityKey}`,
    `  reason   ${conflict.reason}: ${conflict.message}`,
    `  record   version ${conflict.recordVersion}, last written by ${conflict.current.source} at ${new Date(conflict.current.sourceTs).toISOString()}`,
    `  incoming ${conflict.incoming.source} event ${conflict.incoming.eventId} at ${new Date(conflict.incoming.sourceTs).toISOString()}`,
    ...conflict.diff.map(
      (d) =>
        `    ${d.field.padEnd(16)} ${JSON.stringify(d.current) ?? "(absent)"}  →  ${JSON.stringify(d.incoming) ?? "(absent)"}`,
    ),
  ];
  return lines.join("\n");
}

/** A job's live progress on stderr (terminals only): status, pages and records pulled, outcomes so far. */
export function jobProgress(label: string): { update(job: JobView): void; stop(): void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {status} | {pages} pages, {rows} records | {created} created {updated} updated {unchanged} unchanged {stale} stale {rejected} rejected`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (job) => {
      const payload = {
        status: job.status,
        pages: job.pagesFetched ?? 0,
        rows: job.rowsRead,
        created: job.counts.created,
        updated: job.counts.updated,
        unchanged: job.counts.unchanged,
        stale: job.counts.stale,
        rejected: job.counts.rejected,
      };
      if (!started) {
        bar.start(1, 0, payload);
        started = true;
      } else bar.update(0, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
