/**
 * batch-apply — the apply Maps' child: applies change-set parts with conditional writes (re-decided
 * through the shared write path when a record moved since plan) and stores each part's result under
 * its id, so a redriven batch never counts twice.
 *
 * Event: `{ BatchInput: { jobId, vendorId }, Items: ManifestItem[] }`.
 * Response: `{ parts: [{ partId, received, reused }] }`.
 */
import { type ApplyDeps, applyParts } from "../core/batch/apply.ts";
import type { ChangeResult } from "../core/changes/results.ts";
import { ApplyBatchEventSchema, parseEvent } from "../runtime/batch-events.ts";
import { logger, publishOutcomeMetrics } from "../runtime/powertools.ts";

export type BatchApplyDeps = ApplyDeps;

export interface BatchApplyResponse {
  readonly parts: readonly { readonly partId: string; readonly received: number; readonly reused: boolean }[];
}

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchApplyDeps) {
  return async (event: unknown): Promise<BatchApplyResponse> => {
    const { BatchInput, Items } = parseEvent(ApplyBatchEventSchema, event);
    logger.appendKeys({ jobId: BatchInput.jobId, vendorId: BatchInput.vendorId });
    const applied: ChangeResult[] = [];
    const parts = await applyParts(
      { jobId: BatchInput.jobId, vendorId: BatchInput.vendorId, parts: Items },
      {
        ...deps,
        observe: (results) => {
          applied.push(...results);
          deps.observe?.(results);
        },
      },
    );
    publishOutcomeMetrics(applied);
    logger.info("parts applied", {
      parts: parts.map((p) => ({ partId: p.partId, reused: p.reused, counts: p.counts })),
    });
    return { parts: parts.map((p) => ({ partId: p.partId, received: p.counts.received, reused: p.reused })) };
  };
}
