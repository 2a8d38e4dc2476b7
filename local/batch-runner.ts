/**
 * The sandbox's stand-in for the batch state machine (`statemachines/batch-sync.asl.json`): the same
 * stage handlers, called in the same order with the same events, the two Distributed Maps run with
 * the same `ItemBatcher` limits, MaxConcurrency and tolerated failure percentage, and a Catch that
 * marks the job failed. What differs from AWS is listed in docs/sandbox-vs-aws.md.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { batchLines } from "../lambdas/core/batch/batching.ts";
import type { CommitResult } from "../lambdas/core/batch/commit.ts";
import type { JobNotification } from "../lambdas/core/batch/jobs.ts";
import {
  APPLY_BATCH,
  type BatchExecutionInput,
  type BatchLimits,
  type ManifestItem,
  PLAN_BATCH,
  type PreparedLine,
  type PrepareSummary,
  type ValidationReport,
} from "../lambdas/core/batch/model.ts";
import type { ObjectStore } from "../lambdas/core/batch/ports.ts";
import { VendorSyncError } from "../lambdas/core/errors.ts";

/** The stage handlers (`makeHandler` of each `lambdas/batch-*` function). */
export interface BatchStageHandlers {
  readonly prepare: (event: unknown) => Promise<PrepareSummary>;
  readonly plan: (event: unknown) => Promise<unknown>;
  readonly validate: (event: unknown) => Promise<ValidationReport>;
  readonly apply: (event: unknown) => Promise<unknown>;
  readonly commit: (event: unknown) => Promise<CommitResult>;
  readonly fail: (event: unknown) => Promise<{ status: "FAILED"; error: string; notification: JobNotification }>;
}

/** A Distributed Map's failures went over its tolerated failure percentage (Step Functions' error name). */
export class ExceedToleratedFailureThresholdError extends Error {
  readonly failedItems: number;
  readonly totalItems: number;

  constructor(map: string, failedItems: number, totalItems: number, toleratedPercent: number, cause?: unknown) {
    super(
      `${map}: ${failedItems} of ${totalItems} items failed, over the tolerated ${toleratedPercent} %` +
        (cause instanceof Error ? ` (last error: ${cause.message})` : ""),
      { cause },
    );
    this.name = "States.ExceedToleratedFailureThreshold";
    this.failedItems = failedItems;
    this.totalItems = totalItems;
  }
}

export interface LocalRunOptions {
  /** Attempts per child (the state machine's Retry on transient errors). @default 3 */
  readonly attempts?: number;
  /** First retry delay, ms (doubled per attempt). @default 50 */
  readonly retryDelayMs?: number;
  /** Told when a stage fails (the CLI prints the stack of unexpected errors). */
  readonly onError?: (error: unknown) => void;
}

/** How a local run ended: the commit result, or the Catch's. */
export type LocalRunResult =
  | { readonly kind: "committed"; readonly result: CommitResult }
  | { readonly kind: "caught"; readonly error: string; readonly notification: JobNotification };

async function withRetries<T>(run: () => Promise<T>, options: LocalRunOptions): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const retryable = error instanceof VendorSyncError && error.retryable;
      if (!retryable || attempt >= attempts) throw error;
      await sleep((options.retryDelayMs ?? 50) * 2 ** (attempt - 1));
    }
  }
}

/**
 * Runs a Distributed Map locally: streams the `ItemReader` JSON Lines, batches them as `ItemBatcher`
 * does, runs children with at most `maxConcurrency` in flight (reading no further ahead), and fails
 * with `States.ExceedToleratedFailureThreshold` when the failed items' share is over the tolerance
 * (a failed batch counts all its items).
 */
async function runDistributedMap<T>(
  name: string,
  lines: AsyncIterable<string>,
  limits: BatchLimits,
  child: (items: T[]) => Promise<unknown>,
  config: BatchExecutionInput["config"],
  options: LocalRunOptions,
): Promise<void> {
  const limit = pLimit(config.maxConcurrency);
  const running = new Set<Promise<void>>();
  let total = 0;
  let failed = 0;
  let lastError: unknown;
  for await (const items of batchLines<T>(lines, limits)) {
    total += items.length;
    const run = limit(async () => {
      try {
        await withRetries(() => child(items), options);
      } catch (error) {
        failed += items.length;
        lastError = error;
        options.onError?.(error);
      }
    });
    running.add(run);
    void run.finally(() => running.delete(run));
    // Back-pressure: read ahead by at most one batch per slot.
    if (running.size >= config.maxConcurrency * 2) await Promise.race(running);
  }
  await Promise.all(running);
  if (failed > 0 && (failed * 100) / total > config.toleratedFailurePercent) {
    throw new ExceedToleratedFailureThresholdError(name, failed, total, config.toleratedFailurePercent, lastError);
  }
}

/**
 * Runs one batch job through the stages as the state machine does: prepare → plan Map → (full
 * snapshot) tombstone plan → validate → (unless a dry run or refused) apply Map → tombstone apply
 * Map → commit; any stage failure goes to the fail handler (the Catch).
 */
export async function runBatchLocally(
  input: BatchExecutionInput,
  handlers: BatchStageHandlers,
  store: ObjectStore,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const { jobId, vendorId, dryRun, full, config } = input;
  try {
    const prepared = await withRetries(() => handlers.prepare(input), options);
    if (prepared.changes > 0) {
      await runDistributedMap<PreparedLine>(
        "Plan",
        store.readLines(prepared.normalisedKey),
        PLAN_BATCH,
        (items) => handlers.plan({ BatchInput: { jobId, vendorId, asOf: prepared.asOf, dryRun }, Items: items }),
        config,
        options,
      );
    }
    if (full) {
      const limit = pLimit(config.maxConcurrency);
      await Promise.all(
        prepared.shards.map((shard) =>
          limit(() =>
            withRetries(
              () =>
                handlers.plan({
                  kind: "tombstones",
                  jobId,
                  vendorId,
                  asOf: prepared.asOf,
                  dryRun,
                  shard,
                  entityTypes: prepared.entityTypes,
                }),
              options,
            ),
          ),
        ),
      );
    }
    const validation = await withRetries(() => handlers.validate({ jobId, vendorId, full, dryRun, prepared }), options);
    if (validation.ok && !dryRun) {
      const apply = (items: ManifestItem[]) => handlers.apply({ BatchInput: { jobId, vendorId }, Items: items });
      if (validation.changeParts > 0) {
        await runDistributedMap(
          "Apply",
          store.readLines(validation.changeManifestKey),
          APPLY_BATCH,
          apply,
          config,
          options,
        );
      }
      if (validation.tombstoneParts > 0) {
        await runDistributedMap(
          "ApplyTombstones",
          store.readLines(validation.tombstoneManifestKey),
          APPLY_BATCH,
          apply,
          config,
          options,
        );
      }
    }
    return { kind: "committed", result: await withRetries(() => handlers.commit({ jobId, vendorId }), options) };
  } catch (error) {
    options.onError?.(error);
    const caught = {
      Error: error instanceof Error ? error.name : "Error",
      Cause: error instanceof Error ? error.message : String(error),
    };
    const failed = await withRetries(
      () => handlers.fail({ jobId, vendorId, trigger: input.trigger, error: caught }),
      options,
    );
    return { kind: "caught", error: failed.error, notification: failed.notification };
  }
}
