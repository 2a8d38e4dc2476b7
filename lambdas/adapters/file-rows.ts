import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { setDataKey } from "../core/data-keys.ts";
import { ValidationError } from "../core/errors.ts";
import type { FileItem, FileSyntax } from "../core/formats/index.ts";
import { jsonLines } from "./json-lines.ts";

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

async function decode(stream: Readable, encoding: string | undefined): Promise<Readable> {
  const enc = (encoding ?? "utf-8").toLowerCase();
  if (enc === "utf-8" || enc === "utf8") return stream;
  // Most files are UTF-8: iconv-lite is loaded only for the others.
  const { default: iconv } = await import("iconv-lite");
  return stream.pipe(iconv.decodeStream(enc === "windows-1252" ? "win1252" : enc)) as unknown as Readable;
}

/**
 * Streams a CSV or JSON Lines file as rows with their 1-based starting line, in constant memory.
 * CSV: UTF-8 BOM stripped, CRLF or LF, quoted fields with commas, doubled quotes and line breaks
 * (RFC 4180). A row with the wrong number of fields, or a JSON line that does not parse, comes out
 * as `unreadable` with its reason; the rest of the file still comes through.
 *
 * @throws {ValidationError} for a duplicated header, or a quoting error that makes the rest of the
 *   file unreadable (with the line).
 */
export async function* readRows(stream: Readable, options: ReadRowsOptions): AsyncGenerator<FileItem> {
  const input = await decode(stream, options.encoding);
  if (options.syntax === "jsonl") {
    yield* readJsonLines(input);
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

async function* readJsonLines(input: Readable): AsyncGenerator<FileItem> {
  const lines = jsonLines(input);
  let line = 0;
  yield { kind: "header", columns: [] };
  for await (const raw of lines) {
    line++;
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
