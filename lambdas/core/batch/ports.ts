/**
 * Ports of the batch workflow: where its files live (S3 on AWS, a folder in the sandbox), where its
 * job is recorded, and how the records table is listed per shard. The stages in this folder use only
 * these, so the same code runs in the Lambdas and in `vendor-sync import`.
 */
import type { EntityType, RecordKey, Workflow } from "../model.ts";
import type { JobStatus, OutcomeCounts } from "../outcomes.ts";

/** A streaming write to one object. The object appears whole when {@link ObjectWriter.close} resolves. */
export interface ObjectWriter {
  /** Appends text; resolves when the writer can take more (back-pressure). */
  write(text: string): Promise<void>;
  /** Finishes the object. @throws when the upload or file write failed. */
  close(): Promise<void>;
  /** Gives up: nothing is left behind. */
  abort(): Promise<void>;
}

/**
 * Object storage for the workflow's files: the normalised JSON Lines, change sets, per-batch results,
 * rejects and reports. Keys are `/`-separated paths (see `layout.ts`).
 */
export interface ObjectStore {
  /**
   * Streams an object as text lines (LF or CRLF stripped), in order, in constant memory.
   * @throws {ObjectNotFoundError} when the object does not exist.
   */
  readLines(key: string): AsyncIterable<string>;
  /** Reads a small object whole. @returns `undefined` when it does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Writes a small object whole, replacing any previous one. */
  writeText(key: string, text: string): Promise<void>;
  /** Opens a streaming writer (S3: a multipart upload; locally: a temporary file renamed on close). */
  openWriter(key: string): ObjectWriter;
  /** Keys under a prefix, in ascending (UTF-8 binary) order, as S3 ListObjectsV2 returns them. */
  list(prefix: string): AsyncIterable<string>;
  /** Where an object is, for people: `s3://bucket/key`, or a file path in the sandbox. */
  locate(key: string): string;
}

/** What started a batch job. */
export type BatchTrigger = "cli" | "upload" | "admin" | "schedule" | "webhook";

/** The part of a job the batch stages read back. */
export interface BatchJobView {
  readonly jobId: string;
  readonly vendorId: string;
  readonly status: JobStatus;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms. */
  readonly startedAt?: number;
  /** Set when the pull worker handed this job to the batch workflow. */
  readonly handoff?: unknown;
}

/** Fields a batch stage sets when it moves a job. */
export interface BatchJobFields {
  readonly counts?: OutcomeCounts;
  readonly rowsRead?: number;
  /** Epoch ms. */
  readonly startedAt?: number;
  /** Epoch ms. */
  readonly finishedAt?: number;
  /** Epoch ms. */
  readonly heartbeatAt?: number;
  readonly durationMs?: number;
  readonly errorSummary?: string;
  readonly rejectsFile?: string | null;
}

/**
 * Where batch jobs are recorded (the sync table). `DynamoSyncStore` implements it as it is.
 */
export interface BatchJobStore {
  /** Creates a job in QUEUED. @throws when a job with this id exists. */
  createJob(job: {
    jobId: string;
    vendorId: string;
    workflow: Workflow;
    trigger: BatchTrigger;
    input: Readonly<Record<string, string | number | boolean | null>>;
    createdAt: number;
  }): Promise<unknown>;
  getJob(jobId: string): Promise<BatchJobView | undefined>;
  /**
   * Moves a job forward (QUEUED → RUNNING → final).
   * @throws {ConcurrentUpdateError} when the job is not in a state it may move from.
   */
  transitionJob(jobId: string, status: JobStatus, fields?: BatchJobFields): Promise<void>;
  /** Records a finished sync for the vendor's freshness state (times only move forward). */
  recordSync(vendorId: string, sync: { finishedAt: number; newestSourceTs?: number }): Promise<void>;
  /** Moves the vendor's pull watermark or file-drop position forward (a handed-over job's, on success). */
  advanceWatermark(vendorId: string, watermark: { pullWatermark?: number; fileDropAfterKey?: string }): Promise<void>;
  /** Frees the vendor for its next sync when `jobId` holds it (a handed-over job); otherwise does nothing. */
  releaseVendorLock(vendorId: string, jobId: string): Promise<void>;
}

/**
 * Lists a vendor's stored record keys one write shard at a time (the records table's sharded
 * `byVendor` index), so a full snapshot can find the records its file no longer has.
 */
export interface RecordKeyLister {
  /** Number of shards (0 … shards − 1). */
  readonly shards: number;
  /** @returns the shard an entity key is stored under. */
  shardOf(entityKey: string): number;
  /** Streams the keys stored in one shard, of the given entity types only. */
  listKeys(vendorId: string, shard: number, entityTypes: readonly EntityType[]): AsyncIterable<RecordKey>;
}
