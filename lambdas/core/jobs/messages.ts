import * as v from "valibot";
import type { VendorConfig } from "../vendor-config.ts";
import { SYNC_MODES } from "./job.ts";

/**
 * The standard-priority queue's message: "run step `step` of job `jobId`". It carries no state: the
 * job item holds where to resume, so a redelivered or duplicated message can never run a step twice
 * (each step is claimed with a conditional write on the job's `step`).
 */
export const SyncMessageSchema = v.strictObject({
  kind: v.literal("sync"),
  version: v.literal(1),
  jobId: v.pipe(v.string(), v.minLength(1)),
  vendorId: v.pipe(v.string(), v.minLength(1)),
  /** 1 for the job's first message, +1 for each follow-up. */
  step: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type SyncMessage = v.InferOutput<typeof SyncMessageSchema>;

/** @returns the queue message body for a job step. */
export function syncMessage(jobId: string, vendorId: string, step: number): string {
  return JSON.stringify({ kind: "sync", version: 1, jobId, vendorId, step } satisfies SyncMessage);
}

/**
 * What an admin (API, CLI, the on-demand function) or a schedule asks for.
 * `mode` defaults to incremental; a dry run reads and decides but writes nothing.
 */
export const StartSyncRequestSchema = v.strictObject({
  vendorId: v.pipe(v.string(), v.minLength(1)),
  /** @default "incremental" */
  mode: v.optional(v.picklist(SYNC_MODES), "incremental"),
  /** @default false */
  dryRun: v.optional(v.boolean(), false),
  /** @default "admin" */
  trigger: v.optional(v.picklist(["cli", "schedule", "admin"]), "admin"),
  /** Who asked (an IAM principal ARN, a user name); recorded on the job. */
  requestedBy: v.optional(v.pipe(v.string(), v.maxLength(512))),
});
export type StartSyncRequest = v.InferInput<typeof StartSyncRequestSchema>;

/** Line format of hand-off parts: one canonical change input per line (see docs/scheduled-sync.md). */
export const HANDOFF_FORMAT = "vendor-sync/pull-handoff" as const;

/** One staged JSON Lines part of a large pull. */
export const HandoffPartSchema = v.strictObject({
  /** Object key of the part (`pulls/<vendorId>/<jobId>/part-000001.jsonl`). */
  key: v.string(),
  /** Change inputs (lines) in the part. */
  changes: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** `line` of the part's first change; lines are numbered across the parts from 1. */
  firstLine: v.pipe(v.number(), v.integer(), v.minValue(1)),
});

/**
 * The manifest a large pull writes next to its parts (`pulls/<vendorId>/<jobId>/manifest.json`). The
 * parts, read in order, are normalised canonical JSON Lines, the form the batch workflow's plan step
 * reads: one change input per line with `source` `vendor:pull`, its own `sourceTs`, and `line`
 * numbered across the parts from 1.
 */
export const HandoffManifestSchema = v.strictObject({
  format: v.literal(HANDOFF_FORMAT),
  version: v.literal(1),
  jobId: v.string(),
  vendorId: v.string(),
  /** When the pull run started, epoch ms: the as-of time for anything without its own time. */
  asOf: v.number(),
  parts: v.array(HandoffPartSchema),
  /** Lines over all parts. */
  changes: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type HandoffManifest = v.InferOutput<typeof HandoffManifestSchema>;

/** @returns the object key of a large pull's hand-off manifest. */
export function handoffManifestKey(vendorId: string, jobId: string): string {
  return `pulls/${vendorId}/${jobId}/manifest.json`;
}

/** @returns the object key of one staged part (by pull page number). */
export function handoffPartKey(vendorId: string, jobId: string, page: number): string {
  return `pulls/${vendorId}/${jobId}/part-${String(page).padStart(6, "0")}.jsonl`;
}

/**
 * The vendor as the importer of hand-off parts sees it: the parts are canonical JSON Lines (UTF-8)
 * whatever the vendor's own file format.
 */
export function asCanonicalFeed(vendor: VendorConfig): VendorConfig {
  return {
    ...vendor,
    channels: {
      ...vendor.channels,
      file: { format: "canonical", encoding: "utf-8", delimiter: ",", weightUnit: "kg" },
    },
  };
}
