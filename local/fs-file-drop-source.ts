import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import type { DroppedFile, FileDropSource } from "../lambdas/core/jobs/ports.ts";

/** The sandbox's stand-in for a vendor's file-drop bucket: files under `<data-dir>/objects/<bucket>/`. */
export class FsFileDropSource implements FileDropSource {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async list(prefix: string, options: { startAfter?: string; limit: number }): Promise<DroppedFile[]> {
    let keys: string[];
    try {
      keys = (await readdir(this.#root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(this.#root, join(entry.parentPath, entry.name)).split(sep).join("/"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const wanted = keys
      .filter((key) => key.startsWith(prefix) && (!options.startAfter || key > options.startAfter))
      .sort()
      .slice(0, options.limit);
    return Promise.all(
      wanted.map(async (key) => {
        const info = await stat(join(this.#root, ...key.split("/")));
        return { key, size: info.size, lastModified: Math.floor(info.mtimeMs) };
      }),
    );
  }

  async open(key: string): Promise<Readable> {
    if (key.split("/").some((part) => part === ".." || part === "")) throw new Error(`invalid key ${key}`);
    return createReadStream(join(this.#root, ...key.split("/")));
  }
}
