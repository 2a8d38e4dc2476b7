/**
 * batch-prepare — first stage of the batch workflow: creates the job (RUNNING), streams the
 * uploaded file from S3 through the vendor's normaliser and writes the canonical JSON Lines that the
 * plan Map reads.
 *
 * Event: the execution input (`BatchExecutionInput`). Response: `PrepareSummary` (small).
 */

import { readRows, syntaxOf } from "../adapters/file-rows.ts";
import type { SourceOpener } from "../adapters/s3/uploads.ts";
import { startBatchJob } from "../core/batch/jobs.ts";
import { BatchExecutionInputSchema, type PrepareSummary } from "../core/batch/model.ts";
import type { BatchJobStore, ObjectStore, RecordKeyLister } from "../core/batch/ports.ts";
import { prepareFile } from "../core/batch/prepare.ts";
import { parseEvent } from "../shared/batch-events.ts";
import { logger } from "../shared/powertools.ts";
import type { VendorRegistry } from "../shared/vendor-registry.ts";

export interface BatchPrepareDeps {
  readonly vendors: Pick<VendorRegistry, "get">;
  readonly jobs: BatchJobStore;
  readonly store: ObjectStore;
  readonly openSource: SourceOpener;
  readonly keys: Pick<RecordKeyLister, "shards" | "shardOf">;
  readonly now?: () => number;
}

/** Builds the handler from its ports (the sandbox passes a folder and a local file instead of S3). */
export function makeHandler(deps: BatchPrepareDeps) {
  const now = deps.now ?? Date.now;
  return async (event: unknown): Promise<PrepareSummary> => {
    const input = parseEvent(BatchExecutionInputSchema, event);
    logger.appendKeys({ jobId: input.jobId, vendorId: input.vendorId });
    await startBatchJob(input, deps.jobs, now());
    const vendor = deps.vendors.get(input.vendorId);
    const source = await deps.openSource(input.source);
    const syntax = syntaxOf(input.source.key);
    const summary = await prepareFile(
      {
        vendor,
        jobId: input.jobId,
        syntax,
        asOf: input.asOf ?? source.lastModified,
        full: input.full,
        items: readRows(source.body, {
          syntax,
          encoding: vendor.channels.file?.encoding,
          delimiter: vendor.channels.file?.delimiter,
        }),
      },
      { store: deps.store, keys: deps.keys },
    );
    logger.info("file prepared", {
      rowsRead: summary.rowsRead,
      changes: summary.changes,
      rejected: summary.rejected,
      ...(summary.error ? { error: summary.error } : {}),
    });
    return summary;
  };
}
