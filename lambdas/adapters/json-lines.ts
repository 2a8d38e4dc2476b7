import type { Readable } from "node:stream";
import split2 from "split2";

/**
 * Splits a byte stream into JSON Lines records: on LF only (a trailing CR is dropped), never on
 * U+2028/U+2029 — which JSON allows raw inside strings and which Node's `readline` would treat as
 * line breaks, cutting records such as Shopify HTML bodies in two. Constant memory.
 *
 * @see https://jsonlines.org/
 */
export function jsonLines(input: Readable): AsyncIterable<string> {
  return input.pipe(split2(/\r?\n/)) as AsyncIterable<string>;
}
