import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { RejectEntry, RejectSink } from "../lambdas/core/import-pipeline.ts";

/**
 * Keeps rejected and failed changes as JSON Lines in a file, created only when the first one comes
 * (so a clean import leaves no empty file).
 */
export class RejectFile implements RejectSink {
  readonly #path: string;
  #stream: WriteStream | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  add(entry: RejectEntry): void {
    if (!this.#stream) {
      mkdirSync(dirname(this.#path), { recursive: true });
      this.#stream = createWriteStream(this.#path, { encoding: "utf8" });
    }
    this.#stream.write(`${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<string | null> {
    const stream = this.#stream;
    if (!stream) return null;
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return this.#path;
  }
}
