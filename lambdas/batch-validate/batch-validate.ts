/**
 * batch-validate — between plan and apply: sums the plan batches' summaries from S3 and decides
 * whether the job may write (rejected share, counts reconcile, mass-deletion guard), then writes the
 * apply manifests, or, for a dry run, the diff report.
 *
 * Event: `{ jobId, vendorId, full, dryRun, prepared }`. Response: `ValidationReport` (small).
 */
import type { PrepareSummary, ValidationReport } from "../core/batch/model.ts";
import type { ObjectStore } from "../core/batch/ports.ts";
import { validatePlan } from "../core/batch/validate.ts";
import { parseEvent, ValidateEventSchema } from "../runtime/batch-events.ts";
import { logger } from "../runtime/powertools.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

export interface BatchValidateDeps {
  readonly vendors: Pick<VendorRegistry, "get">;
  readonly store: ObjectStore;
}

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchValidateDeps) {
  return async (event: unknown): Promise<ValidationReport> => {
    const input = parseEvent(ValidateEventSchema, event);
    logger.appendKeys({ jobId: input.jobId, vendorId: input.vendorId });
    const report = await validatePlan(
      {
        vendor: deps.vendors.get(input.vendorId),
        jobId: input.jobId,
        dryRun: input.dryRun,
        full: input.full,
        prepared: input.prepared as PrepareSummary,
      },
      { store: deps.store },
    );
    logger.info(report.ok ? "plan validated" : "plan refused", {
      ok: report.ok,
      ...(report.reason ? { reason: report.reason } : {}),
      planned: report.planned,
    });
    return report;
  };
}
