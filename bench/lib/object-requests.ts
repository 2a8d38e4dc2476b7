/**
 * Counts the S3 requests the batch workflow's stages would make, by watching the sandbox's
 * {@link FileObjectStore} (the imports bucket as a folder) while `vendor-sync import` runs. Each call
 * maps to the requests `S3ObjectStore` makes on AWS: `readLines`/`readText` one GetObject (a missing
 * object too), `writeText` one PutObject, `openWriter` one PutObject up to a part (8 MiB, lib-storage's
 * single-request upload) or CreateMultipartUpload + one UploadPart per part + Complete, `list` one
 * ListObjectsV2 per 1,000 keys. The counting wraps the class's methods in this process only.
 */
import type { ObjectWriter } from "../../lambdas/core/batch/ports.ts";
import { FileObjectStore } from "../../local/file-object-store.ts";

/** `S3ObjectStore`'s multipart part size, bytes. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

/** S3 requests by pricing class. */
export interface ObjectRequests {
  /** PUT, COPY, POST, LIST class (PutObject, multipart calls, ListObjectsV2). */
  put: number;
  /** GET, SELECT and all other requests. */
  get: number;
  /** Objects written whole (plan results, change-set parts, manifests…), by key kind. */
  readonly writesByKind: Record<string, number>;
}

let active: ObjectRequests | undefined;
let installed = false;

/** The kind of a batch key: its first folder, and `plan`/`apply` for results. */
function kindOf(key: string): string {
  const parts = key.split("/");
  if (parts[0] === "results" && (parts[3] === "plan" || parts[3] === "apply")) return `results/${parts[3]}`;
  if (parts[0] === "changesets" && parts[3] === "parts") return "changesets/parts";
  return parts[0] ?? key;
}

function install(): void {
  if (installed) return;
  installed = true;
  const proto = FileObjectStore.prototype;
  const { readLines, readText, writeText, openWriter, list } = proto;
  proto.readLines = function (this: FileObjectStore, key: string) {
    if (active) active.get++;
    return readLines.call(this, key);
  };
  proto.readText = function (this: FileObjectStore, key: string) {
    if (active) active.get++;
    return readText.call(this, key);
  };
  proto.writeText = function (this: FileObjectStore, key: string, text: string) {
    if (active) {
      active.put++;
      active.writesByKind[kindOf(key)] = (active.writesByKind[kindOf(key)] ?? 0) + 1;
    }
    return writeText.call(this, key, text);
  };
  proto.openWriter = function (this: FileObjectStore, key: string): ObjectWriter {
    const writer = openWriter.call(this, key);
    let bytes = 0;
    return {
      write: (text) => {
        bytes += Buffer.byteLength(text);
        return writer.write(text);
      },
      close: async () => {
        await writer.close();
        if (!active) return;
        active.put += bytes <= S3_PART_BYTES ? 1 : 2 + Math.ceil(bytes / S3_PART_BYTES);
        active.writesByKind[kindOf(key)] = (active.writesByKind[kindOf(key)] ?? 0) + 1;
      },
      abort: () => writer.abort(),
    };
  };
  proto.list = async function* (this: FileObjectStore, prefix: string) {
    let keys = 0;
    if (active) active.put++;
    for await (const key of list.call(this, prefix)) {
      if (++keys % 1000 === 0 && active) active.put++;
      yield key;
    }
  };
}

/** Starts counting (replacing any count in progress). @returns the live counts. */
export function countObjectRequests(): ObjectRequests {
  install();
  active = { put: 0, get: 0, writesByKind: {} };
  return active;
}

/** Stops counting. */
export function stopCountingObjectRequests(): void {
  active = undefined;
}
