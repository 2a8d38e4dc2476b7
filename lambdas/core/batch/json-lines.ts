import type { ObjectStore, ObjectWriter } from "./ports.ts";

/**
 * A JSON Lines object written as it goes, opened only when the first line comes (so a clean run
 * leaves no empty rejects file behind).
 */
export class LazyJsonLines {
  readonly #store: ObjectStore;
  readonly #key: string;
  #writer: ObjectWriter | undefined;
  #lines = 0;

  constructor(store: ObjectStore, key: string) {
    this.#store = store;
    this.#key = key;
  }

  /** Lines written so far. */
  get lines(): number {
    return this.#lines;
  }

  async add(value: unknown): Promise<void> {
    this.#writer ??= this.#store.openWriter(this.#key);
    this.#lines++;
    await this.#writer.write(`${JSON.stringify(value)}\n`);
  }

  /** @returns the key, or `null` when nothing was written. */
  async close(): Promise<string | null> {
    if (!this.#writer) return null;
    await this.#writer.close();
    return this.#key;
  }

  async abort(): Promise<void> {
    await this.#writer?.abort();
  }
}

/** Parses one JSON line. @returns `undefined` for a blank line. */
export function parseJsonLine<T>(line: string): T | undefined {
  const text = line.trim();
  return text === "" ? undefined : (JSON.parse(text) as T);
}

/** Reads a small JSON object. @returns `undefined` when it does not exist. */
export async function readJson<T>(store: ObjectStore, key: string): Promise<T | undefined> {
  const text = await store.readText(key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/**
 * Concatenates objects into one, line by line (streaming), in the order given.
 * @returns the number of lines written.
 */
export async function concatObjects(store: ObjectStore, sources: Iterable<string>, target: string): Promise<number> {
  const writer = store.openWriter(target);
  let lines = 0;
  try {
    for (const source of sources) {
      for await (const line of store.readLines(source)) {
        if (line.trim() === "") continue;
        lines++;
        await writer.write(`${line}\n`);
      }
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return lines;
}

/** @returns every key under a prefix (small listings: per-batch results, parts). */
export async function listAll(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.list(prefix)) keys.push(key);
  return keys;
}
