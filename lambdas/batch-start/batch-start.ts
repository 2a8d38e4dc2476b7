/**
 * batch-start — EventBridge target for `Object Created` under `imports/<vendorId>/` in the imports
 * bucket: starts the batch workflow with an execution name derived from bucket, key and version id,
 * so the same upload never runs twice (EventBridge delivers at least once). Object tags
 * `vendor-sync:full`, `vendor-sync:dry-run` and `vendor-sync:as-of` set the job's options.
 *
 * Event: the S3 `Object Created` event. Response: `{ outcome, executionName?, jobId?, reason? }`.
 */
import { ulid } from "ulid";
import * as v from "valibot";
import type { StartBatchExecution } from "../adapters/stepfunctions/batch-executions.ts";
import { buildExecutionInput, executionNameFor, IMPORT_TAGS, vendorIdFromKey } from "../core/batch/execution.ts";
import type { SourceObject } from "../core/batch/model.ts";
import { ValidationError } from "../core/errors.ts";
import { parseTimestamp } from "../core/timestamps.ts";
import { parseEvent } from "../runtime/batch-events.ts";
import { logger } from "../runtime/powertools.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

/** The part of the S3 `Object Created` EventBridge event this function reads. */
export const ObjectCreatedEventSchema = v.object({
  "detail-type": v.literal("Object Created"),
  detail: v.object({
    bucket: v.object({ name: v.string() }),
    object: v.object({ key: v.string(), "version-id": v.optional(v.string()) }),
  }),
});

export interface BatchStartDeps {
  readonly vendors: Pick<VendorRegistry, "get" | "has">;
  readonly start: StartBatchExecution;
  readonly readTags: (source: SourceObject) => Promise<Record<string, string>>;
  readonly newJobId?: () => string;
}

export type BatchStartResponse =
  | { readonly outcome: "started" | "duplicate"; readonly executionName: string; readonly jobId: string }
  | { readonly outcome: "ignored"; readonly reason: string };

/** Builds the handler from its ports. */
export function makeHandler(deps: BatchStartDeps) {
  return async (event: unknown): Promise<BatchStartResponse> => {
    const { detail } = parseEvent(ObjectCreatedEventSchema, event);
    const source: SourceObject = {
      bucket: detail.bucket.name,
      key: detail.object.key,
      ...(detail.object["version-id"] ? { versionId: detail.object["version-id"] } : {}),
    };
    let vendorId: string;
    try {
      vendorId = vendorIdFromKey(source.key);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      logger.warn("upload ignored", { key: source.key, reason: error.message });
      return { outcome: "ignored", reason: error.message };
    }
    if (!deps.vendors.has(vendorId)) {
      const reason = `unknown vendor ${JSON.stringify(vendorId)}`;
      logger.warn("upload ignored", { key: source.key, reason });
      return { outcome: "ignored", reason };
    }
    const vendor = deps.vendors.get(vendorId);
    const tags = await deps.readTags(source);
    const asOfTag = tags[IMPORT_TAGS.asOf];
    const jobId = deps.newJobId?.() ?? ulid();
    const executionName = executionNameFor(source);
    const input = buildExecutionInput({
      vendor,
      jobId,
      source,
      trigger: "upload",
      full: tags[IMPORT_TAGS.full] === "true",
      dryRun: tags[IMPORT_TAGS.dryRun] === "true",
      asOf: asOfTag ? parseTimestamp(asOfTag, { field: IMPORT_TAGS.asOf }) : null,
    });
    const outcome = await deps.start(executionName, input);
    logger.appendKeys({ jobId, vendorId });
    logger.info(outcome === "started" ? "batch workflow started" : "duplicate upload event ignored", {
      executionName,
      key: source.key,
    });
    return { outcome: outcome === "started" ? "started" : "duplicate", executionName, jobId };
  };
}
