import type { Readable } from "node:stream";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { DroppedFile, FileDropSource } from "../../core/jobs/ports.ts";

/**
 * A vendor's file-drop bucket (`channels.fileDrop.bucket`): lists objects after a key (ListObjectsV2
 * `StartAfter`, lexical order) and streams them.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export class S3FileDropSource implements FileDropSource {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: { client: S3Client; bucket: string }) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  async list(prefix: string, options: { startAfter?: string; limit: number }): Promise<DroppedFile[]> {
    const files: DroppedFile[] = [];
    let token: string | undefined;
    do {
      const response = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix,
          ...(options.startAfter && !token ? { StartAfter: options.startAfter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
          MaxKeys: Math.min(1000, options.limit - files.length),
        }),
      );
      for (const object of response.Contents ?? []) {
        if (!object.Key || object.Key.endsWith("/")) continue;
        files.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified?.getTime() ?? 0 });
      }
      token = response.IsTruncated ? response.NextContinuationToken : undefined;
    } while (token && files.length < options.limit);
    return files;
  }

  async open(key: string): Promise<Readable> {
    const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    return response.Body as Readable;
  }
}
