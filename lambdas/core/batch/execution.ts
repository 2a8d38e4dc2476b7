import { createHash } from "node:crypto";
import { ValidationError } from "../errors.ts";
import type { BatchHandoffRequest } from "../jobs/ports.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { BATCH_PREFIXES } from "./layout.ts";
import type { BatchExecutionInput, SourceObject } from "./model.ts";
import type { BatchTrigger } from "./ports.ts";

/** Longest execution name Step Functions accepts. */
export const MAX_EXECUTION_NAME_LENGTH = 80;

/**
 * The execution name of an upload: `upload-` and the SHA-256 of bucket, key and version id (71
 * characters, letters, digits and `-` only). Step Functions refuses a second execution with the
 * same name (for 90 days), so the same upload — an at-least-once EventBridge event delivered twice —
 * never runs twice, while a new version of the same key does.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export function executionNameFor(source: SourceObject): string {
  const hash = createHash("sha256")
    .update(`${source.bucket}\n${source.key}\n${source.versionId ?? ""}`)
    .digest("hex");
  return `upload-${hash}`;
}

/** Prefix of the execution names of pulls handed over to the batch workflow. */
const HANDOFF_EXECUTION_PREFIX = "pull-";

/** @returns the execution name of a job's batch run: the job id, so one job never starts two runs. */
export function handoffExecutionName(jobId: string): string {
  return `${HANDOFF_EXECUTION_PREFIX}${jobId}`;
}

/**
 * @returns the name of the execution that runs a batch job: `pull-<jobId>` for a pull handed over,
 *   else its upload's name ({@link executionNameFor} of the job's `input.bucket`, `key`, `versionId`).
 * @throws {ValidationError} when the job is neither (no upload in its input).
 */
export function batchExecutionName(job: {
  readonly jobId: string;
  readonly handoff?: unknown;
  readonly input: Readonly<Record<string, string | number | boolean | null>>;
}): string {
  if (job.handoff !== undefined) return handoffExecutionName(job.jobId);
  const { bucket, key, versionId } = job.input;
  if (typeof bucket !== "string" || typeof key !== "string") {
    throw new ValidationError(`job ${job.jobId} names no upload: it has no batch execution`, { field: "input" });
  }
  return executionNameFor({ bucket, key, ...(typeof versionId === "string" ? { versionId } : {}) });
}

/**
 * @returns the job a batch execution runs: the `jobId` of its input (every execution's input is a
 *   `BatchExecutionInput`), else — when the status event left the input out — the job id in a
 *   hand-over's name (`pull-<jobId>`); `undefined` when neither tells.
 */
export function jobIdOfExecution(execution: {
  readonly name: string;
  readonly input?: string | null;
}): string | undefined {
  if (execution.input) {
    try {
      const input = JSON.parse(execution.input) as { jobId?: unknown };
      if (typeof input?.jobId === "string" && input.jobId !== "") return input.jobId;
    } catch {
      // Not JSON: fall back to the name.
    }
  }
  return execution.name.startsWith(HANDOFF_EXECUTION_PREFIX)
    ? execution.name.slice(HANDOFF_EXECUTION_PREFIX.length)
    : undefined;
}

/**
 * @returns the vendor an upload belongs to: the folder after `imports/`.
 * @throws {ValidationError} when the key is not `imports/<vendorId>/<file>`.
 */
export function vendorIdFromKey(key: string): string {
  const match = new RegExp(`^${BATCH_PREFIXES.uploads}([a-z0-9][a-z0-9-]{1,62})/[^/].*$`).exec(key);
  if (!match) {
    throw new ValidationError(`upload key ${JSON.stringify(key)} is not ${BATCH_PREFIXES.uploads}<vendorId>/<file>`, {
      field: "key",
      value: key,
    });
  }
  return match[1] as string;
}

/** Object tags that change how an upload is imported. */
export const IMPORT_TAGS = {
  /** `true`: the file is a full snapshot (records absent from it are tombstoned). */
  full: "vendor-sync:full",
  /** `true`: stop after validation with a diff report. */
  dryRun: "vendor-sync:dry-run",
  /** ISO 8601 as-of time for rows without their own time. */
  asOf: "vendor-sync:as-of",
} as const;

/**
 * Builds a batch execution input. The vendor's `maxConcurrency` becomes the Maps' MaxConcurrency and
 * its `toleratedRejectedPercent` their ToleratedFailurePercentage (a failed batch's changes count as
 * failed, so the same share bounds both).
 */
export function buildExecutionInput(options: {
  readonly vendor: VendorConfig;
  readonly jobId: string;
  readonly source: SourceObject;
  readonly trigger: BatchTrigger;
  readonly asOf?: number | null;
  readonly full?: boolean;
  readonly dryRun?: boolean;
}): BatchExecutionInput {
  return {
    jobId: options.jobId,
    vendorId: options.vendor.id,
    source: options.source,
    asOf: options.asOf ?? null,
    full: options.full ?? false,
    dryRun: options.dryRun ?? false,
    trigger: options.trigger,
    config: {
      maxConcurrency: options.vendor.maxConcurrency,
      toleratedFailurePercent: Math.floor(options.vendor.toleratedRejectedPercent),
    },
  };
}

/**
 * Builds the execution input that continues a job the pull worker handed over: the same job id, its
 * manifest (in `archiveBucket`) or the vendor's dropped file as the source, and what the worker already
 * applied, read and will store as the watermark on success.
 *
 * @param trigger - the pull job's trigger (`schedule` or `admin`; a CLI sync counts as `admin`).
 */
export function buildHandoffExecutionInput(options: {
  readonly vendor: VendorConfig;
  readonly request: BatchHandoffRequest;
  /** The bucket the pull worker stages parts and manifests in (the archive bucket). */
  readonly archiveBucket: string;
  readonly trigger: BatchTrigger;
}): BatchExecutionInput {
  const { request } = options;
  const { input } = request;
  return {
    ...buildExecutionInput({
      vendor: options.vendor,
      jobId: request.jobId,
      source:
        input.kind === "vendor-file"
          ? { bucket: input.bucket, key: input.key }
          : { bucket: options.archiveBucket, key: input.manifestKey },
      trigger: options.trigger,
      asOf: input.kind === "vendor-file" ? input.asOf : null,
      dryRun: request.dryRun,
    }),
    handoff: {
      kind: input.kind,
      baseCounts: request.baseCounts,
      rowsRead: request.rowsRead,
      ...(request.watermark ? { watermark: request.watermark } : {}),
    },
  };
}
