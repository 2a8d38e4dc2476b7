/**
 * batch-prepare — first stage of the batch workflow: creates the job (RUNNING), streams the
 * uploaded file from S3 through the vendor's normaliser and writes the canonical JSON Lines that the
 * plan Map reads. A job the pull worker handed over (`handoff` in the input) is continued instead of
 * created: its staged canonical parts (a large pull) or the vendor's dropped file are read.
 *
 * Event: the execution input (`BatchExecutionInput`). Response: `PrepareSummary` (small).
 */

import { Readable } from "node:stream";
import * as v from "valibot";
import { readRows, syntaxOf } from "../adapters/file-rows.ts";
import type { SourceOpener } from "../adapters/s3/uploads.ts";
import { continueHandedOverJob, startBatchJob } from "../core/batch/jobs.ts";
import { jobKeys } from "../core/batch/layout.ts";
import { BatchExecutionInputSchema, type PrepareSummary, type SourceObject } from "../core/batch/model.ts";
import type { ObjectStore, RecordKeyLister } from "../core/batch/ports.ts";
import { prepareFile } from "../core/batch/prepare.ts";
import { ValidationError } from "../core/errors.ts";
import { asCanonicalFeed, type HandoffManifest, HandoffManifestSchema } from "../core/jobs/messages.ts";
import type { JobStore } from "../core/jobs/ports.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import { parseEvent } from "../runtime/batch-events.ts";
import { logger } from "../runtime/powertools.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

export interface BatchPrepareDeps {
  readonly vendors: Pick<VendorRegistry, "get">;
  readonly jobs: JobStore;
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
    if (input.handoff) await continueHandedOverJob(input, deps.jobs);
    else await startBatchJob(input, deps.jobs, now());
    const vendor = deps.vendors.get(input.vendorId);
    const opened =
      input.handoff?.kind === "pull-manifest"
        ? await openHandoffParts(deps.openSource, input.source, vendor)
        : await openUpload(deps.openSource, input.source, vendor, input.asOf);
    if (input.handoff) {
      // Commit adds what the pull worker already did and moves the vendor's watermark.
      await deps.store.writeText(jobKeys(input.vendorId, input.jobId).handoff, JSON.stringify(input.handoff));
    }
    const summary = await prepareFile(
      {
        vendor: opened.vendor,
        jobId: input.jobId,
        syntax: opened.syntax,
        asOf: opened.asOf,
        full: input.full,
        items: readRows(opened.body, {
          syntax: opened.syntax,
          encoding: opened.vendor.channels.file?.encoding,
          delimiter: opened.vendor.channels.file?.delimiter,
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

interface OpenedInput {
  readonly body: Readable;
  readonly syntax: "csv" | "jsonl";
  /** As-of time for rows without their own, epoch ms. */
  readonly asOf: number;
  /** The vendor as the file is read (hand-off parts are canonical whatever the vendor's format). */
  readonly vendor: VendorConfig;
}

/** An uploaded (or dropped) vendor file, in the vendor's own format. */
async function openUpload(
  openSource: SourceOpener,
  source: SourceObject,
  vendor: VendorConfig,
  asOf: number | null,
): Promise<OpenedInput> {
  const opened = await openSource(source);
  return { body: opened.body, syntax: syntaxOf(source.key), asOf: asOf ?? opened.lastModified, vendor };
}

/**
 * A large pull's staged parts: reads the hand-off manifest at `source` and streams its canonical JSON
 * Lines parts (from the same bucket) one after another, in page order.
 *
 * @throws {ValidationError} when the manifest is not a hand-off manifest.
 */
async function openHandoffParts(
  openSource: SourceOpener,
  source: SourceObject,
  vendor: VendorConfig,
): Promise<OpenedInput> {
  const text = await streamText((await openSource(source)).body);
  let manifest: HandoffManifest;
  try {
    manifest = v.parse(HandoffManifestSchema, JSON.parse(text));
  } catch (error) {
    throw new ValidationError(
      `s3://${source.bucket}/${source.key} is not a pull hand-off manifest: ${error instanceof Error ? error.message : String(error)}`,
      { field: "source" },
    );
  }
  async function* parts(): AsyncIterable<Buffer> {
    for (const part of manifest.parts) {
      for await (const chunk of (await openSource({ bucket: source.bucket, key: part.key })).body) {
        yield chunk as Buffer;
      }
    }
  }
  return { body: Readable.from(parts()), syntax: "jsonl", asOf: manifest.asOf, vendor: asCanonicalFeed(vendor) };
}

async function streamText(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
