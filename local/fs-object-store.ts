import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { ObjectStore } from "../lambdas/core/ports.ts";

/** The sandbox's stand-in for an S3 bucket: objects as files under a folder, keys as relative paths. */
export class FsObjectStore implements ObjectStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #path(key: string): string {
    if (key.split("/").some((part) => part === ".." || part === ""))
      throw new Error(`invalid object key ${JSON.stringify(key)}`);
    return join(this.#root, ...key.split("/"));
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async list(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<string[]> {
    let entries: string[];
    try {
      entries = (await readdir(this.#root, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(this.#root, join(entry.parentPath, entry.name)).split(sep).join("/"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return entries
      .filter((key) => key.startsWith(prefix) && (!options.startAfter || key > options.startAfter))
      .sort()
      .slice(0, options.limit ?? 1000);
  }
}
