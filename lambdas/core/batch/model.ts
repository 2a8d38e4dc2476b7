/**
 * Shapes the batch workflow's stages exchange: the execution input, the items of the two
 * Distributed Maps, and the per-batch results kept in the object store.
 *
 * @see ../../../docs/batch-workflow.md
 */
import * as v from "valibot";
import type { ChangeInput } from "../change-input.ts";
import type { FieldDiff } from "../conflict-rules.ts";
import { type EntityType, OUTCOMES, type Outcome } from "../model.ts";
import type { OutcomeCounts } from "../outcomes.ts";

/**
 * Step Functions' limit on the input of one child workflow execution of a Distributed Map, bytes.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html
 */
export const MAX_CHILD_INPUT_BYTES = 256 * 1024;

/** Room kept for the `BatchInput` object and the JSON around the `Items` array, bytes. */
export const BATCH_INPUT_RESERVE_BYTES = 16 * 1024;

/** How a Distributed Map groups items into child executions (its `ItemBatcher`). */
export interface BatchLimits {
  /** `MaxItemsPerBatch`. */
  readonly maxItems: number;
  /** `MaxInputBytesPerBatch`: the items' JSON, in bytes. */
  readonly maxInputBytes: number;
}

/**
 * The plan Map's batches: up to 1,000 changes (ten BatchGetItem calls) and never more than the
 * 256 KiB child input minus {@link BATCH_INPUT_RESERVE_BYTES}. Bigger batches mean fewer child
 * executions (cost); the byte limit is what usually binds for catalog rows with descriptions.
 */
export const PLAN_BATCH: BatchLimits = {
  maxItems: 1000,
  maxInputBytes: MAX_CHILD_INPUT_BYTES - BATCH_INPUT_RESERVE_BYTES,
};

/**
 * The apply Maps' batches: manifest items are small pointers to change-set parts of up to 1,000
 * planned changes each, so a child applies at most 4 parts (about 4,000 conditional writes).
 */
export const APPLY_BATCH: BatchLimits = {
  maxItems: 4,
  maxInputBytes: MAX_CHILD_INPUT_BYTES - BATCH_INPUT_RESERVE_BYTES,
};

/** Changes per tombstone change-set part. */
export const TOMBSTONES_PER_PART = 1000;

/** Largest normalised change a batch item may be (one item must fit a child input), bytes. */
export const MAX_PREPARED_LINE_BYTES = PLAN_BATCH.maxInputBytes;

/** Where an uploaded file is. */
export const SourceObjectSchema = v.object({
  bucket: v.pipe(v.string(), v.minLength(1)),
  key: v.pipe(v.string(), v.minLength(1)),
  versionId: v.optional(v.string()),
});
export type SourceObject = v.InferOutput<typeof SourceObjectSchema>;

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * A job the scheduled workflow's pull worker started and handed over (a large pull, a large dropped
 * file): the batch run continues it instead of creating a job, adds its outcomes to `baseCounts`, and
 * on success moves the vendor's watermark and frees the vendor for its next sync.
 */
export const BatchHandoffSchema = v.object({
  /** `pull-manifest`: `source` is a hand-off manifest listing canonical JSON Lines parts; `vendor-file`: a vendor file. */
  kind: v.picklist(["pull-manifest", "vendor-file"]),
  /** Outcomes the pull worker already applied for this job. */
  baseCounts: v.object({ received: Count, ...Object.fromEntries(OUTCOMES.map((o) => [o, Count])) } as Record<
    "received" | Outcome,
    typeof Count
  >),
  /** Records or rows the job read before the hand-off. */
  rowsRead: Count,
  /** Stored when the job succeeds. */
  watermark: v.optional(v.object({ pullWatermark: v.optional(v.number()), fileDropAfterKey: v.optional(v.string()) })),
});
export type BatchHandoff = v.InferOutput<typeof BatchHandoffSchema>;

/**
 * The execution input of the batch workflow (the starter Lambda, the admin API and the CLI build it
 * with `buildExecutionInput`; a pull's hand-off with `buildHandoffExecutionInput`). The state machine
 * adds its stages' results beside these fields.
 */
export const BatchExecutionInputSchema = v.object({
  jobId: v.pipe(v.string(), v.minLength(1), v.maxLength(80)),
  vendorId: v.pipe(v.string(), v.minLength(1)),
  source: SourceObjectSchema,
  /** As-of time for rows without their own time, epoch ms; `null`: the object's last-modified time. */
  asOf: v.nullable(v.number()),
  /** A full snapshot: records absent from the file are tombstoned (under the mass-deletion guard). */
  full: v.boolean(),
  /** Stop after validation with a diff report; write nothing. */
  dryRun: v.boolean(),
  trigger: v.picklist(["cli", "upload", "admin", "schedule", "webhook"]),
  /** Distributed Map settings from the vendor configuration (`MaxConcurrencyPath`, `ToleratedFailurePercentagePath`). */
  config: v.object({
    maxConcurrency: v.pipe(v.number(), v.integer(), v.minValue(1)),
    toleratedFailurePercent: v.pipe(v.number(), v.minValue(0), v.maxValue(100)),
  }),
  /** Set when the run continues a job the pull worker handed over. */
  handoff: v.optional(BatchHandoffSchema),
});
export type BatchExecutionInput = v.InferOutput<typeof BatchExecutionInputSchema>;

/** One line of the normalised file: a canonical change input with its source line and sequence number. */
export type PreparedLine = ChangeInput & {
  /** 0-based position in the normalised file; the plan batch id derives from it. */
  readonly seq: number;
};

/** What the prepare stage reports (it travels in the state payload: keep it small). */
export interface PrepareSummary {
  readonly jobId: string;
  readonly vendorId: string;
  /** Key of the normalised JSON Lines file (the plan Map's ItemReader). */
  readonly normalisedKey: string;
  /** Key prefix for the Distributed Maps' ResultWriter. */
  readonly mapRunsPrefix: string;
  /** Lines in the normalised file (valid changes). */
  readonly changes: number;
  /** Source rows read (continuation rows included). */
  readonly rowsRead: number;
  /** Rows and changes rejected while normalising. */
  readonly rejected: number;
  /** As-of time used, epoch ms. */
  readonly asOf: number;
  /** Entity types the file holds (a full snapshot only tombstones these). */
  readonly entityTypes: readonly EntityType[];
  /** Shards whose key files were written (full snapshots), else empty. */
  readonly shards: readonly number[];
  /** Why the file cannot be used at all (bad header, unreadable CSV); the job then fails validation. */
  readonly error?: string;
}

/** An apply Map item: one change-set part (a line of an apply manifest). */
export interface ManifestItem {
  readonly key: string;
  readonly partId: string;
  /** Planned entries in the part. */
  readonly entries: number;
}

/** What one plan batch (or one shard's tombstone planning) found; stored under its batch id. */
export interface PlanBatchSummary {
  readonly batchId: string;
  readonly kind: "changes" | "tombstones";
  /** Every change's planned outcome (rejected included). */
  readonly counts: OutcomeCounts;
  /** The part of {@link counts} that apply still has to do (created, updated, conflicted). */
  readonly pending: OutcomeCounts;
  /** Newest `sourceTs` among changes settled as unchanged here (freshness), epoch ms. */
  readonly newestSettledSourceTs?: number;
  readonly parts: readonly ManifestItem[];
  readonly entityTypes: readonly EntityType[];
  /** Tombstone planning of one shard. */
  readonly tombstones?: TombstoneStats;
}

/** Full-snapshot statistics (one shard, or summed). */
export interface TombstoneStats {
  /** Records of the file's entity types in the store. */
  readonly stored: number;
  /** Of those, absent from the file but already tombstones. */
  readonly alreadyDeleted: number;
  /** Absent from the file but written after its as-of time (kept). */
  readonly keptNewer: number;
  /** Tombstones the plan would write. */
  readonly planned: number;
}

/** One line of the dry-run diff report. */
export interface DiffEntry {
  readonly line?: number;
  readonly entityType: EntityType;
  readonly entityKey: string;
  readonly outcome: Outcome;
  readonly op: "upsert" | "delete";
  readonly reason?: string;
  /** Fields that would change (created: every field; updated and conflicted: the differences). */
  readonly fields?: readonly FieldDiff[];
}

/** The validation stage's verdict, stored as `validation.json` and returned to the state machine. */
export interface ValidationReport {
  readonly jobId: string;
  readonly vendorId: string;
  readonly ok: boolean;
  /** Why the job fails, when it does. */
  readonly reason?: string;
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly rowsRead: number;
  /** Every change's planned outcome: prepare rejects as `rejected`, changes of plan batches that failed as `failed`. */
  readonly planned: OutcomeCounts;
  /** Outcomes already final before apply (everything but created, updated, conflicted). */
  readonly settled: OutcomeCounts;
  /** Changes apply has to write or hold for review. */
  readonly pending: number;
  /** Rejected share of all changes, percent. */
  readonly rejectedPercent: number;
  readonly tombstones?: TombstoneStats & {
    /** Planned tombstones as a share of the vendor's live records of those types, percent. */
    readonly percent: number;
    readonly limitPercent: number;
  };
  readonly changeParts: number;
  readonly tombstoneParts: number;
  readonly changeManifestKey: string;
  readonly tombstoneManifestKey: string;
  readonly diffReportKey?: string;
  readonly newestSettledSourceTs?: number;
}

/** What applying one change-set part did; stored under the part id so a redriven batch never counts twice. */
export interface ApplyPartResult {
  readonly partId: string;
  readonly counts: OutcomeCounts;
  /** Newest `sourceTs` among changes accepted here, epoch ms. */
  readonly newestSourceTs?: number;
  /** Rejected or failed changes were written to this rejects part. */
  readonly rejectsKey: string | null;
}
