import type { BatchLimits } from "./model.ts";

/**
 * Groups JSON Lines items into batches the way a Distributed Map's `ItemBatcher` does: at most
 * `maxItems` items and at most `maxInputBytes` bytes of item JSON per batch, in reader order. The
 * sandbox uses it to run the plan and apply Maps with the same batch sizes as AWS.
 *
 * @param lines - the JSON Lines of the Map's `ItemReader`, one item per line (blank lines skipped).
 * @throws {RangeError} when one item alone is larger than `maxInputBytes` (the Map Run would fail too).
 */
export async function* batchLines<T>(lines: AsyncIterable<string>, limits: BatchLimits): AsyncGenerator<T[]> {
  let batch: T[] = [];
  let bytes = 2; // the array's brackets
  for await (const line of lines) {
    const text = line.trim();
    if (text === "") continue;
    const size = Buffer.byteLength(text, "utf8") + 1; // and its comma
    if (size + 2 > limits.maxInputBytes) {
      throw new RangeError(`an item of ${size} bytes is larger than a batch may be (${limits.maxInputBytes} bytes)`);
    }
    if (batch.length > 0 && (batch.length >= limits.maxItems || bytes + size > limits.maxInputBytes)) {
      yield batch;
      batch = [];
      bytes = 2;
    }
    batch.push(JSON.parse(text) as T);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
