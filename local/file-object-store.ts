import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { jsonLines } from "../lambdas/adapters/json-lines.ts";
import { ObjectNotFoundError } from "../lambdas/core/batch/errors.ts";
import type { ObjectStore, ObjectWriter } from "../lambdas/core/batch/ports.ts";

let temporaries = 0;

/**
 * The sandbox's {@link ObjectStore}: the imports bucket as a folder (`<data-dir>/bucket/` by
 * default). Writes go to a temporary file renamed on close, so an object appears whole, as on S3.
 */
export class FileObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #path(key: string): string {
    if (key.split("/").some((part) => part === ".." || part === "")) throw new RangeError(`bad object key ${key}`);
    return join(this.root, ...key.split("/"));
  }

  async *readLines(key: string): AsyncIterable<string> {
    const stream = createReadStream(this.#path(key), { encoding: "utf8" });
    try {
      await once(stream, "open");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ObjectNotFoundError(key, { cause: error });
      throw error;
    }
    yield* jsonLines(stream);
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.#path(key), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.tmp-${process.pid}-${temporaries++}`;
    await writeFile(temporary, text, "utf8");
    await rename(temporary, path);
  }

  openWriter(key: string): ObjectWriter {
    const path = this.#path(key);
    const temporary = `${path}.tmp-${process.pid}-${temporaries++}`;
    let stream: ReturnType<typeof createWriteStream> | undefined;
    const open = async () => {
      if (stream) return stream;
      await mkdir(dirname(path), { recursive: true });
      stream = createWriteStream(temporary, { encoding: "utf8" });
      return stream;
    };
    return {
      write: async (text) => {
        const out = await open();
        if (!out.write(text)) await once(out, "drain");
      },
      close: async () => {
        const out = await open();
        await new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
        await rename(temporary, path);
      },
      abort: async () => {
        stream?.destroy();
        await rm(temporary, { force: true });
      },
    };
  }

  async *list(prefix: string): AsyncIterable<string> {
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const keys: string[] = [];
    const walk = async (dir: string) => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!entry.name.includes(".tmp-")) {
          const key = relative(this.root, path).split(sep).join("/");
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(folder === "" ? this.root : this.#path(folder));
    // S3 lists keys in UTF-8 binary order.
    keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    yield* keys;
  }

  locate(key: string): string {
    return this.#path(key);
  }

  /** Removes every object under a folder-like prefix (`…/`): the sandbox's stand-in for lifecycle expiry. */
  async removePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith("/")) throw new RangeError(`not a folder prefix: ${prefix}`);
    await rm(this.#path(prefix.slice(0, -1)), { recursive: true, force: true });
  }
}
