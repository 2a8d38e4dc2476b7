import type { Readable } from "node:stream";
import { GetObjectCommand, GetObjectTaggingCommand, type S3Client } from "@aws-sdk/client-s3";
import { ObjectNotFoundError } from "../../core/batch/errors.ts";
import type { SourceObject } from "../../core/batch/model.ts";

/** An uploaded file opened for reading. */
export interface OpenedSource {
  readonly body: Readable;
  /** Last-modified time (the default as-of time), epoch ms. */
  readonly lastModified: number;
  /** Bytes, when known. */
  readonly size?: number;
}

/** Opens the uploaded file a batch job imports (this exact version, when one is given). */
export type SourceOpener = (source: SourceObject) => Promise<OpenedSource>;

/** @returns a {@link SourceOpener} on S3: a streaming GetObject of the given version. */
export function s3SourceOpener(client: S3Client): SourceOpener {
  return async (source) => {
    try {
      const response = await client.send(
        new GetObjectCommand({
          Bucket: source.bucket,
          Key: source.key,
          ...(source.versionId ? { VersionId: source.versionId } : {}),
        }),
      );
      return {
        body: response.Body as Readable,
        lastModified: response.LastModified?.getTime() ?? Date.now(),
        ...(response.ContentLength === undefined ? {} : { size: response.ContentLength }),
      };
    } catch (error) {
      if ((error as { name?: string })?.name === "NoSuchKey")
        throw new ObjectNotFoundError(source.key, { cause: error });
      throw error;
    }
  };
}

/** @returns an upload's object tags as a map. */
export async function readObjectTags(client: S3Client, source: SourceObject): Promise<Record<string, string>> {
  const response = await client.send(
    new GetObjectTaggingCommand({
      Bucket: source.bucket,
      Key: source.key,
      ...(source.versionId ? { VersionId: source.versionId } : {}),
    }),
  );
  return Object.fromEntries((response.TagSet ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
}
