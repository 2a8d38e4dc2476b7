import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { setDataKey } from "../core/data-keys.ts";
import { ValidationError } from "../core/errors.ts";
import type { FileItem, FileSyntax } from "../core/formats/index.ts";
import { jsonLines } from "./json-lines.ts";
import {
  type FileEncoding,
  type InvalidBytes,
  likelyEncoding,
  StrictDecoder,
  strictDecodeStream,
} from "./strict-decoder.ts";

export interface ReadRowsOptions {
  readonly syntax: FileSyntax;
  /** @default "utf-8" */
  readonly encoding?: string;
  /** CSV delimiter. @default "," */
  readonly delimiter?: string;
}

/** @returns `"jsonl"` for `.jsonl`/`.ndjson` names, `"csv"` otherwise. */
export function syntaxOf(fileName: string): FileSyntax {
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(fileName) ? "jsonl" : "csv";
}

/**
 * Decodes the byte stream in the declared encoding, recording invalid bytes instead of inventing
 * characters for them (strict-decoder.ts).
 */
async function decode(
  stream: Readable,
  encoding: string | undefined,
): Promise<{ text: Readable; decoder: StrictDecoder }> {
  const declared = (encoding ?? "utf-8").toLowerCase().replace(/^utf8$/, "utf-8") as FileEncoding;
  let singleByte: ((bytes: Buffer) => string) | undefined;
  if (declared === "windows-1252") {
    // Most files are UTF-8: iconv-lite is loaded only for the others.
    const { default: iconv } = await import("iconv-lite");
    singleByte = (bytes) => iconv.decode(bytes, "win1252");
  }
  const decoder = new StrictDecoder(declared, singleByte);
  return { text: stream.pipe(strictDecodeStream(decoder)), decoder };
}

/** Bytes not valid in the declared encoding, found on lines `from`…`to`, taken from the decoder's queue. */
function invalidOn(decoder: StrictDecoder, from: number, to: number): InvalidBytes[] {
  const found: InvalidBytes[] = [];
  while ((decoder.invalid[0]?.line ?? Number.POSITIVE_INFINITY) <= to) {
    const next = decoder.invalid.shift() as InvalidBytes;
    if (next.line >= from) found.push(next);
  }
  return found;
}

/** Why a row with invalid bytes is rejected: where, which bytes, and the encoding they look like. */
function invalidBytesReason(decoder: StrictDecoder, invalid: readonly InvalidBytes[]): string {
  const [first] = invalid as [InvalidBytes];
  const hex = [...first.bytes].map((b) => `0x${b.toString(16).toUpperCase().padStart(2, "0")}`).join(" ");
  const more = invalid.length > 1 ? ` (and ${invalid.length - 1} more on this row)` : "";
  const likely = likelyEncoding(decoder.encoding, first);
  return (
    `${first.bytes.length === 1 ? "byte" : "bytes"} ${hex} at byte offset ${first.offset} ${first.bytes.length === 1 ? "is" : "are"} not valid ${decoder.encoding}${more}` +
    (likely ? `; the file looks like ${likely}: set the vendor's channels.file.encoding` : "")
  );
}

/**
 * Streams a CSV or JSON Lines file as rows with their 1-based starting line, in constant memory.
 * CSV: UTF-8 BOM stripped, CRLF or LF, quoted fields with commas, doubled quotes and line breaks
 * (RFC 4180). A row with the wrong number of fields, a JSON line that does not parse, or a row
 * holding bytes that are not valid in the declared encoding (named by byte offset, with the encoding
 * they look like) comes out as `unreadable` with its reason; the rest of the file still comes through.
 *
 * @throws {ValidationError} for a duplicated header, a header with invalid bytes, or a quoting error
 *   that makes the rest of the file unreadable (with the line).
 */
export async function* readRows(stream: Readable, options: ReadRowsOptions): AsyncGenerator<FileItem> {
  const { text: input, decoder } = await decode(stream, options.encoding);
  if (options.syntax === "jsonl") {
    yield* readJsonLines(input, decoder);
    return;
  }
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ",",
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  let columns: string[] | undefined;
  let nextLine = 1;
  let emptyLines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; empty_lines: number };
    }>) {
      // `info.lines` is the line the record ends on (quoted line breaks included); skipped empty
      // lines come before the record.
      const line = nextLine + (info.empty_lines - emptyLines);
      nextLine = info.lines + 1;
      emptyLines = info.empty_lines;
      const invalid = invalidOn(decoder, line, info.lines);
      if (!columns && invalid.length > 0) {
        throw new ValidationError(`header: ${invalidBytesReason(decoder, invalid)}`, { line });
      }
      if (invalid.length > 0) {
        yield { kind: "unreadable", line, reason: invalidBytesReason(decoder, invalid) };
        continue;
      }
      if (!columns) {
        columns = record.map((name) => name.trim());
        const seen = new Set<string>();
        for (const name of columns) {
          if (name !== "" && seen.has(name)) {
            throw new ValidationError(`duplicate header ${JSON.stringify(name)}`, { field: name, line });
          }
          seen.add(name);
        }
        yield { kind: "header", columns };
        continue;
      }
      if (record.length !== columns.length) {
        yield {
          kind: "unreadable",
          line,
          reason: `row has ${record.length} fields, the header has ${columns.length}`,
        };
        continue;
      }
      const values: Record<string, string> = {};
      columns.forEach((name, i) => {
        setDataKey(values, name, record[i] as string);
      });
      yield { kind: "row", row: { line, values } };
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const line = /line (\d+)/i.exec(message)?.[1];
    throw new ValidationError(`CSV cannot be read further: ${message}`, {
      ...(line ? { line: Number(line) } : {}),
      cause: error,
    });
  }
  if (!columns) yield { kind: "header", columns: [] };
}

async function* readJsonLines(input: Readable, decoder: StrictDecoder): AsyncGenerator<FileItem> {
  const lines = jsonLines(input);
  let line = 0;
  yield { kind: "header", columns: [] };
  for await (const raw of lines) {
    line++;
    const invalid = invalidOn(decoder, line, line);
    if (invalid.length > 0) {
      yield { kind: "unreadable", line, reason: invalidBytesReason(decoder, invalid) };
      continue;
    }
    const text = (line === 1 ? raw.replace(/^\uFEFF/, "") : raw).trim();
    if (text === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      // V8 counts lines within the one line it was given: keep only the column, the file's line is `line`.
      const reason = (error as Error).message.replace(/ \(line 1 column (\d+)\)$/, " (column $1)");
      yield { kind: "unreadable", line, reason: `not valid JSON: ${reason}` };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      yield { kind: "unreadable", line, reason: "each line must be a JSON object" };
      continue;
    }
    yield { kind: "row", row: { line, values: value as Record<string, unknown> } };
  }
}
