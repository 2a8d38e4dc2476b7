/**
 * batch-plan — the plan Map's child (and the full snapshot's per-shard tombstone plan): decides
 * every change of a batch against the current records, read-only, and stores the change-set part,
 * rejects, diff lines and the batch summary in S3 under the batch id.
 *
 * Event: `{ BatchInput: { jobId, vendorId, asOf, dryRun }, Items: PreparedLine[] }`, or
 * `{ kind: "tombstones", jobId, vendorId, asOf, dryRun, shard, entityTypes }`.
 * Response: `{ batchId, kind, received, pending }` (what the Map's ResultWriter keeps).
 */

import type { PreparedLine } from "../core/batch/model.ts";
import { type PlanDeps, planBatch, planTombstones } from "../core/batch/plan.ts";
import type { RecordKeyLister } from "../core/batch/ports.ts";
import type { ChangeResult } from "../core/changes/results.ts";
import { writePolicyFor } from "../core/vendor-policy.ts";
import { PlanBatchEventSchema, PlanTombstonesEventSchema, parseEvent } from "../runtime/batch-events.ts";
import { logger, publishOutcomeMetrics } from "../runtime/powertools.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

export interface BatchPlanDeps extends Omit<PlanDeps, "policyFor" | "now" | "observe"> {
  readonly vendors: Pick<VendorRegistry, "get">;
  readonly keys: RecordKeyLister;
  readonly now?: () => number;
  /** Receives every change settled at plan (the sandbox's demo). */
  readonly observe?: (results: readonly ChangeResult[]) => void;
}

export interface BatchPlanResponse {
  readonly batchId: string;
  readonly kind: "changes" | "tombstones";
  readonly received: number;
  readonly pending: number;
}

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchPlanDeps) {
  const now = deps.now ?? Date.now;
  return async (event: unknown): Promise<BatchPlanResponse> => {
    const isTombstones =
      typeof event === "object" && event !== null && (event as { kind?: unknown }).kind === "tombstones";
    const header = isTombstones
      ? parseEvent(PlanTombstonesEventSchema, event)
      : parseEvent(PlanBatchEventSchema, event).BatchInput;
    logger.appendKeys({ jobId: header.jobId, vendorId: header.vendorId });
    const vendor = deps.vendors.get(header.vendorId);
    const settled: ChangeResult[] = [];
    const planDeps: PlanDeps = {
      records: deps.records,
      store: deps.store,
      now,
      policyFor: (_vendorId, entityType) => writePolicyFor(vendor, entityType),
      observe: (results) => {
        settled.push(...results);
        deps.observe?.(results);
      },
    };
    const summary = isTombstones
      ? await planTombstones(
          { ...parseEvent(PlanTombstonesEventSchema, event), vendor },
          { ...planDeps, keys: deps.keys },
        )
      : await planBatch(
          {
            vendor,
            jobId: header.jobId,
            asOf: header.asOf,
            dryRun: header.dryRun,
            items: parseEvent(PlanBatchEventSchema, event).Items as unknown as PreparedLine[],
          },
          planDeps,
        );
    // Settled outcomes are final here; the pending ones are counted when applied. A dry run changes nothing.
    if (!header.dryRun) publishOutcomeMetrics(settled);
    logger.info("batch planned", { batchId: summary.batchId, counts: summary.counts });
    return {
      batchId: summary.batchId,
      kind: summary.kind,
      received: summary.counts.received,
      pending: summary.pending.received,
    };
  };
}
