/**
 * Ports of the batch workflow: where its files live (S3 on AWS, a folder in the sandbox) and how the
 * records table is listed per shard. Its jobs are kept behind the job store every workflow shares
 * (`jobs/ports.ts`). The stages in this folder use only
 * these, so the same code runs in the Lambdas and in `vendor-sync import`.
 */
import type { JobTrigger } from "../jobs/job.ts";
import type { EntityType, RecordKey } from "../model.ts";

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

/** What started a batch job (the job store's triggers). */
export type BatchTrigger = JobTrigger;

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
