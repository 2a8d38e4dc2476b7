/**
 * apply-changes — direct-invoke entry to the shared write path for internal systems and admins
 * (source `internal` or `admin`): a batch of canonical changes in, one outcome per change out.
 *
 * Event: `{ vendorId, source?: "internal" | "admin", changes: ChangeInput[] }` (at most 1,000 changes).
 * Response: `{ jobId, counts, results: [{ entityType, entityKey, eventId, outcome, reason?, line? }] }`.
 */

import { ulid } from "ulid";
import * as v from "valibot";
import type { Change } from "../core/change.ts";
import { changeContext, intake } from "../core/changes/context.ts";
import type { ChangeApplier } from "../core/changes/ports.ts";
import { type ChangeResult, withoutRecord } from "../core/changes/results.ts";
import { Tally } from "../core/changes/tally.ts";
import { ValidationError } from "../core/errors.ts";
import type { OutcomeCounts } from "../core/outcomes.ts";
import { logger, publishOutcomeMetrics } from "../runtime/powertools.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

/** Largest batch one invocation takes (the 6 MB invoke payload holds far more; this bounds the duration). */
export const MAX_CHANGES_PER_INVOKE = 1000;

export const ApplyChangesEventSchema = v.strictObject({
  vendorId: v.string(),
  source: v.optional(v.picklist(["internal", "admin"]), "internal"),
  changes: v.pipe(v.array(v.unknown()), v.minLength(1), v.maxLength(MAX_CHANGES_PER_INVOKE)),
});

export interface ApplyChangesResponse {
  readonly jobId: string;
  readonly counts: OutcomeCounts;
  readonly results: readonly Omit<ChangeResult, "record">[];
}

export interface ApplyChangesDeps {
  readonly vendors: VendorRegistry;
  /** The change interpreter's live mode. */
  readonly writer: ChangeApplier;
  readonly newJobId?: () => string;
}

/** Builds the handler from its ports (tests pass in-memory or embedded-store adapters). */
export function makeHandler(deps: ApplyChangesDeps) {
  return async (event: unknown): Promise<ApplyChangesResponse> => {
    const parsed = v.safeParse(ApplyChangesEventSchema, event);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      throw new ValidationError(`invalid event: ${v.getDotPath(issue) ?? "(root)"}: ${issue.message}`, {
        field: v.getDotPath(issue) ?? undefined,
      });
    }
    const { vendorId, source, changes: inputs } = parsed.output;
    const vendor = deps.vendors.get(vendorId);
    const jobId = deps.newJobId?.() ?? ulid();
    logger.appendKeys({ jobId, vendorId });
    const context = changeContext(vendor, { workflow: "on-demand", jobId, source, asOf: Date.now() });
    const results: ChangeResult[] = new Array(inputs.length);
    const valid: { index: number; change: Change }[] = [];
    intake(inputs, context).forEach((item, index) => {
      if ("refused" in item) results[index] = item.refused;
      else valid.push({ index, change: item.change });
    });
    for (let start = 0; start < valid.length; start += 100) {
      const slice = valid.slice(start, start + 100);
      const written = await deps.writer.writeBatch(slice.map((item) => item.change));
      written.forEach((result, i) => {
        results[(slice[i] as { index: number }).index] = withoutRecord(result);
      });
    }
    const tally = new Tally();
    tally.add(results);
    const counts = tally.counts;
    publishOutcomeMetrics(results as ChangeResult[]);
    logger.info("changes applied", { counts });
    return { jobId, counts, results };
  };
}
