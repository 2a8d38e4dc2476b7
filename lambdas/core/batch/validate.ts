import pLimit from "p-limit";
import { OUTCOMES } from "../model.ts";
import { countsReconcile, emptyCounts, type OutcomeCounts } from "../outcomes.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { concatObjects, listAll, readJson } from "./json-lines.ts";
import { jobKeys } from "./layout.ts";
import type { ManifestItem, PlanBatchSummary, PrepareSummary, TombstoneStats, ValidationReport } from "./model.ts";
import { sumCounts } from "./plan.ts";
import type { ObjectStore } from "./ports.ts";

export interface ValidateRequest {
  readonly vendor: VendorConfig;
  readonly jobId: string;
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly prepared: PrepareSummary;
}

export interface ValidateDeps {
  readonly store: ObjectStore;
  /** Summaries read in parallel. @default 16 */
  readonly readConcurrency?: number;
}

const percent = (part: number, whole: number) => (whole === 0 ? 0 : (part * 100) / whole);
const shown = (value: number) => `${value.toFixed(1)} %`;

/**
 * The validation stage, between plan and apply, so a bad file never half-updates a catalog. Sums the
 * plan batches' summaries from the store (never from the state payload) and fails the job when
 *
 * - the file could not be read at all (prepare's error);
 * - the counts do not reconcile (a batch reported twice, or more changes than the file has);
 * - the rejected share is over the vendor's `toleratedRejectedPercent`;
 * - a full snapshot would tombstone more than `massDeletionGuardPercent` of the vendor's live
 *   records of the file's entity types.
 *
 * Changes of plan batches that failed (within the Map's tolerated failure percentage) have no
 * summary: they count as `failed`. On success it writes the apply manifests (one line per
 * change-set part); for a dry run it joins the diff parts into one report instead. The report is
 * stored as `validation.json` for the commit stage.
 */
export async function validatePlan(request: ValidateRequest, deps: ValidateDeps): Promise<ValidationReport> {
  const { vendor, jobId, prepared } = request;
  const keys = jobKeys(vendor.id, jobId);
  const limit = pLimit(deps.readConcurrency ?? 16);
  const summaryKeys = (await listAll(deps.store, keys.planResultsPrefix)).filter((key) => key.endsWith(".json"));
  const summaries = (
    await Promise.all(summaryKeys.map((key) => limit(() => readJson<PlanBatchSummary>(deps.store, key))))
  ).filter((s): s is PlanBatchSummary => s !== undefined);
  const changeBatches = summaries.filter((s) => s.kind === "changes");
  const tombstoneBatches = summaries.filter((s) => s.kind === "tombstones");

  const planned = sumCounts(summaries.map((s) => s.counts));
  const pendingCounts = sumCounts(summaries.map((s) => s.pending));
  const plannedFromFile = changeBatches.reduce((sum, s) => sum + s.counts.received, 0);
  const missing = prepared.changes - plannedFromFile;
  planned.rejected += prepared.rejected;
  planned.received += prepared.rejected;
  if (missing > 0) {
    planned.failed += missing;
    planned.received += missing;
  }
  const settled = emptyCounts();
  for (const outcome of OUTCOMES) settled[outcome] = planned[outcome] - pendingCounts[outcome];
  settled.received = planned.received - pendingCounts.received;

  const rejectedPercent = percent(planned.rejected, planned.received);
  const tombstones = request.full ? tombstoneReport(tombstoneBatches, vendor) : undefined;
  const reason = refusal(request, { planned, plannedFromFile, missing, rejectedPercent, tombstones, tombstoneBatches });
  const ok = reason === undefined;

  const byPart = (a: ManifestItem, b: ManifestItem) => (a.partId < b.partId ? -1 : a.partId > b.partId ? 1 : 0);
  const changeParts = changeBatches.flatMap((s) => s.parts).sort(byPart);
  const tombstoneParts = tombstoneBatches.flatMap((s) => s.parts).sort(byPart);
  let diffReportKey: string | undefined;
  if (ok && !request.dryRun) {
    await deps.store.writeText(keys.changeManifest, changeParts.map((part) => `${JSON.stringify(part)}\n`).join(""));
    await deps.store.writeText(
      keys.tombstoneManifest,
      tombstoneParts.map((part) => `${JSON.stringify(part)}\n`).join(""),
    );
  }
  if (request.dryRun) {
    // Parts sort as changes (c…) in file order, then tombstones (t…).
    await concatObjects(deps.store, await listAll(deps.store, keys.diffPartsPrefix), keys.diffReport);
    diffReportKey = keys.diffReport;
  }
  const newest = summaries
    .map((s) => s.newestSettledSourceTs)
    .filter((ts): ts is number => ts !== undefined)
    .reduce<number | undefined>((max, ts) => (max === undefined || ts > max ? ts : max), undefined);
  const report: ValidationReport = {
    jobId,
    vendorId: vendor.id,
    ok,
    ...(reason ? { reason } : {}),
    dryRun: request.dryRun,
    full: request.full,
    rowsRead: prepared.rowsRead,
    planned,
    settled,
    pending: pendingCounts.received,
    rejectedPercent,
    ...(tombstones ? { tombstones } : {}),
    changeParts: changeParts.length,
    tombstoneParts: tombstoneParts.length,
    changeManifestKey: keys.changeManifest,
    tombstoneManifestKey: keys.tombstoneManifest,
    ...(diffReportKey ? { diffReportKey } : {}),
    ...(newest === undefined ? {} : { newestSettledSourceTs: newest }),
  };
  await deps.store.writeText(keys.validation, JSON.stringify(report));
  return report;
}

/** @returns counts with nothing written: rejects as found, every other change `failed` (the job failed before apply). */
export function countsOfFailedValidation(report: Pick<ValidationReport, "planned">): OutcomeCounts {
  const counts = emptyCounts();
  counts.received = report.planned.received;
  counts.rejected = report.planned.rejected;
  counts.failed = report.planned.received - report.planned.rejected;
  return counts;
}

/** What the full snapshot's tombstone plan would delete, against the mass-deletion guard. */
function tombstoneReport(
  tombstoneBatches: readonly PlanBatchSummary[],
  vendor: ValidateRequest["vendor"],
): NonNullable<ValidationReport["tombstones"]> {
  const stats: TombstoneStats = {
    stored: tombstoneBatches.reduce((sum, s) => sum + (s.tombstones?.stored ?? 0), 0),
    alreadyDeleted: tombstoneBatches.reduce((sum, s) => sum + (s.tombstones?.alreadyDeleted ?? 0), 0),
    keptNewer: tombstoneBatches.reduce((sum, s) => sum + (s.tombstones?.keptNewer ?? 0), 0),
    planned: tombstoneBatches.reduce((sum, s) => sum + (s.tombstones?.planned ?? 0), 0),
  };
  return {
    ...stats,
    percent: percent(stats.planned, stats.stored - stats.alreadyDeleted),
    limitPercent: vendor.massDeletionGuardPercent,
  };
}

/** Why the job must not apply (the first check that fails), or `undefined` when it may. */
function refusal(
  request: ValidateRequest,
  plan: {
    readonly planned: OutcomeCounts;
    readonly plannedFromFile: number;
    readonly missing: number;
    readonly rejectedPercent: number;
    readonly tombstones: ValidationReport["tombstones"];
    readonly tombstoneBatches: readonly PlanBatchSummary[];
  },
): string | undefined {
  const { vendor, prepared } = request;
  const { planned, tombstones } = plan;
  if (prepared.error) return prepared.error;
  if (plan.missing < 0 || !countsReconcile(planned)) {
    return `counts do not reconcile: the plan reported ${plan.plannedFromFile} changes, the normalised file has ${prepared.changes}`;
  }
  if (request.full && plan.tombstoneBatches.length < prepared.shards.length) {
    return `the tombstone plan is incomplete: ${plan.tombstoneBatches.length} of ${prepared.shards.length} shards reported`;
  }
  if (plan.rejectedPercent > vendor.toleratedRejectedPercent) {
    return `rejected share ${shown(plan.rejectedPercent)} (${planned.rejected} of ${planned.received} changes) is over the vendor's tolerated ${vendor.toleratedRejectedPercent} %`;
  }
  if (tombstones && tombstones.percent > tombstones.limitPercent) {
    return `the full snapshot would tombstone ${shown(tombstones.percent)} of the vendor's records (${tombstones.planned} of ${tombstones.stored - tombstones.alreadyDeleted}), over the mass-deletion guard of ${tombstones.limitPercent} %`;
  }
  return undefined;
}
