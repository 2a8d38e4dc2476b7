import { once } from "node:events";
import { PassThrough, type Readable } from "node:stream";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ObjectNotFoundError } from "../../core/batch/errors.ts";
import type { ObjectStore, ObjectWriter } from "../../core/batch/ports.ts";
import { TransientError } from "../../core/errors.ts";
import { jsonLines } from "../json-lines.ts";

export interface S3ObjectStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** Multipart part size, bytes (S3's minimum is 5 MiB). @default 8 MiB */
  readonly partSize?: number;
  /** Parts uploaded in parallel per writer; memory per writer ≈ partSize × queueSize. @default 2 */
  readonly queueSize?: number;
}

/** Maps S3 errors left after the SDK's retries: 5xx, throttling and network resets become {@link TransientError}. */
function toS3Error(error: unknown, operation: string, key: string): unknown {
  if (error instanceof NoSuchKey || (error as { name?: string })?.name === "NoSuchKey") {
    return new ObjectNotFoundError(key, { cause: error });
  }
  const fault = (error as { $fault?: string })?.$fault;
  const code = (error as { code?: string })?.code;
  const name = (error as { name?: string })?.name;
  if (fault === "server" || name === "SlowDown" || code === "ECONNRESET" || code === "ETIMEDOUT") {
    return new TransientError(`S3 ${operation} ${key}: ${(error as Error).message}`, { cause: error });
  }
  return error;
}

/**
 * {@link ObjectStore} on one S3 bucket: streaming reads (GetObject body → lines), streaming writes
 * (multipart Upload from `@aws-sdk/lib-storage`, so a 1 GB normalised file never sits in memory),
 * ListObjectsV2 paging.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
export class S3ObjectStore implements ObjectStore {
  readonly #options: S3ObjectStoreOptions;

  constructor(options: S3ObjectStoreOptions) {
    this.#options = options;
  }

  async *readLines(key: string): AsyncIterable<string> {
    let body: Readable;
    try {
      const response = await this.#options.client.send(
        new GetObjectCommand({ Bucket: this.#options.bucket, Key: key }),
      );
      body = response.Body as Readable;
    } catch (error) {
      throw toS3Error(error, "GetObject", key);
    }
    yield* jsonLines(body);
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const response = await this.#options.client.send(
        new GetObjectCommand({ Bucket: this.#options.bucket, Key: key }),
      );
      return (await response.Body?.transformToString("utf-8")) ?? "";
    } catch (error) {
      const mapped = toS3Error(error, "GetObject", key);
      if (mapped instanceof ObjectNotFoundError) return undefined;
      throw mapped;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    try {
      await this.#options.client.send(
        new PutObjectCommand({
          Bucket: this.#options.bucket,
          Key: key,
          Body: text,
          ContentType: key.endsWith(".json") ? "application/json" : "application/x-ndjson",
        }),
      );
    } catch (error) {
      throw toS3Error(error, "PutObject", key);
    }
  }

  openWriter(key: string): ObjectWriter {
    const body = new PassThrough();
    const upload = new Upload({
      client: this.#options.client,
      params: { Bucket: this.#options.bucket, Key: key, Body: body, ContentType: "application/x-ndjson" },
      partSize: this.#options.partSize ?? 8 * 1024 * 1024,
      queueSize: this.#options.queueSize ?? 2,
      leavePartsOnError: false,
    });
    let failure: unknown;
    const done = upload.done().catch((error: unknown) => {
      failure = toS3Error(error, "Upload", key);
      body.destroy();
    });
    return {
      write: async (text: string) => {
        if (failure) throw failure;
        if (!body.write(text)) await Promise.race([once(body, "drain"), done]);
        if (failure) throw failure;
      },
      close: async () => {
        body.end();
        await done;
        if (failure) throw failure;
      },
      abort: async () => {
        await upload.abort().catch(() => {});
        body.destroy();
      },
    };
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      let response: ListObjectsV2CommandOutput;
      try {
        response = await this.#options.client.send(
          new ListObjectsV2Command({ Bucket: this.#options.bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (error) {
        throw toS3Error(error, "ListObjectsV2", prefix);
      }
      for (const object of response.Contents ?? []) if (object.Key) yield object.Key;
      token = response.NextContinuationToken;
    } while (token);
  }

  locate(key: string): string {
    return `s3://${this.#options.bucket}/${key}`;
  }
}
