import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { readRows, syntaxOf } from "../../lambdas/adapters/file-rows.ts";
import type { FileItem } from "../../lambdas/core/formats/index.ts";

/** Absolute path of a file in the repository (examples/, test/fixtures/). */
export const repoPath = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

/** Reads every item of a repository file. */
export async function readAll(
  relative: string,
  options: { encoding?: string; delimiter?: string } = {},
): Promise<FileItem[]> {
  const items: FileItem[] = [];
  for await (const item of readRows(createReadStream(repoPath(relative)), { syntax: syntaxOf(relative), ...options })) {
    items.push(item);
  }
  return items;
}

/** Reads every item of in-memory text (or bytes). */
export async function readText(
  text: string | Buffer,
  syntax: "csv" | "jsonl" = "csv",
  options: { encoding?: string } = {},
) {
  const items: FileItem[] = [];
  for await (const item of readRows(Readable.from([typeof text === "string" ? Buffer.from(text) : text]), {
    syntax,
    ...options,
  })) {
    items.push(item);
  }
  return items;
}
