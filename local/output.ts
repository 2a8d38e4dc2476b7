import { createRequire } from "node:module";
import type { ImportProgress } from "../lambdas/core/import-pipeline.ts";
import type { JobView } from "../lambdas/core/jobs/job.ts";
import { OUTCOMES } from "../lambdas/core/model.ts";
import type { DeadLetter } from "../lambdas/core/operations/dead-letters.ts";
import type { ConflictItem } from "../lambdas/core/ports.ts";
import type { ImportResult, ProgressReporter } from "./commands/import.ts";
import { canStyle, plural } from "./terminal.ts";

/** cli-progress (CommonJS), loaded when a terminal shows a bar rather than when the CLI starts. */
const progressBars = () => createRequire(import.meta.url)("cli-progress") as typeof import("cli-progress");

/** Writes one JSON object on one line to stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A progress bar on stderr, shown only on a terminal that allows escape codes (not under `NO_COLOR`). */
export function terminalProgress(label: string): ProgressReporter | undefined {
  if (!canStyle(process.stderr)) return undefined;
  const cliProgress = progressBars();
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {bar} {percentage}% | {created} created {updated} updated {unchanged} unchanged {rejected} rejected`,
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
  const kind = [result.dryRun ? "dry run" : "", result.full ? "full snapshot" : ""].filter(Boolean).join(", ");
  const lines = [
    `job ${result.jobId}  ${result.vendorId}  ${result.status}${kind ? ` (${kind})` : ""} in ${(result.durationMs / 1000).toFixed(2)} s  (${plural(result.rowsRead, "row")} read)`,
    `  ${result.dryRun ? "would be: " : ""}received ${result.counts.received} = ${outcomes}`,
  ];
  if (result.planned && !result.dryRun) {
    const planned = OUTCOMES.filter((o) => result.planned?.[o]).map((o) => `${o} ${result.planned?.[o]}`);
    lines.push(`  planned (nothing written): ${planned.join(", ") || "nothing"}`);
  }
  if (result.tombstones) {
    const t = result.tombstones;
    lines.push(
      `  full snapshot: ${t.planned} of ${t.stored - t.alreadyDeleted} live records to delete (${t.percent.toFixed(1)} %, guard ${t.limitPercent} %); ${t.keptNewer} kept (newer than the file)`,
    );
  }
  lines.push(`  rejects: ${result.rejectsFile ?? "none"}`);
  for (const reject of result.firstRejects ?? []) {
    const where = [reject.line ? `line ${reject.line}` : "", reject.field ?? ""].filter(Boolean).join(", ");
    // Many reasons already start with their field ("attributes.amount: …"): name it once.
    const reason =
      reject.field && reject.reason.startsWith(`${reject.field}: `)
        ? reject.reason.slice(reject.field.length + 2)
        : reject.reason;
    lines.push(`    ${where ? `${where}: ` : ""}${reason}`);
  }
  const more = result.counts.rejected - (result.firstRejects?.length ?? 0);
  if (result.firstRejects?.length && more > 0) lines.push(`    … and ${more} more rejected, in the file`);
  if (result.diffReport) lines.push(`  diff report: ${result.diffReport}`);
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

/** @returns one line per conflict for `conflicts list`. */
export function formatConflictLine(conflict: ConflictItem): string {
  const fields = conflict.diff.map((d) => d.field).join(", ");
  return `${conflict.conflictId}  ${new Date(conflict.createdAt).toISOString()}  ${conflict.vendorId} ${conflict.entityType} ${conflict.entityKey}  ${conflict.reason}  [${fields}]${conflict.resolution ? `  ${conflict.resolution.action} by ${conflict.resolution.by}` : ""}`;
}

/** @returns a dead letter as `dlq show` prints it. */
export function formatDeadLetter(message: DeadLetter): string {
  return [
    `${message.messageId}  sent ${new Date(message.sentAt).toISOString()}  received ${message.receiveCount}×`,
    `  last error: ${message.deadLetterReason ?? "(none recorded)"}`,
    `  attributes: ${JSON.stringify(message.attributes)}`,
    `  body: ${message.body.length > 400 ? `${message.body.slice(0, 397)}...` : message.body}`,
  ].join("\n");
}

/** A job's live progress on stderr (terminals only, not under `NO_COLOR`): status, pages and records pulled, outcomes so far. */
export function jobProgress(label: string): { update(job: JobView): void; stop(): void } | undefined {
  if (!canStyle(process.stderr)) return undefined;
  const cliProgress = progressBars();
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
