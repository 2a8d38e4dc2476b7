import type { ChangeInput } from "../change-input.ts";

/** One parsed source row: CSV values by header, or one JSON Lines object. */
export interface SourceRow {
  /** 1-based physical line where the row starts. */
  readonly line: number;
  readonly values: Readonly<Record<string, unknown>>;
}

/** An item read from a file: its header, a row, or a row that could not be read (kept with its reason). */
export type FileItem =
  | { readonly kind: "header"; readonly columns: readonly string[] }
  | { readonly kind: "row"; readonly row: SourceRow }
  | { readonly kind: "unreadable"; readonly line: number; readonly reason: string };

/** A row (or part of one) that could not become a change, kept with its reason. */
export interface RowReject {
  readonly line: number;
  readonly reason: string;
  readonly field?: string;
  /** The entity key, when one could be read. */
  readonly entityKey?: string;
}

/** What a normaliser produces for a row: canonical change inputs and rejects. */
export interface NormalisedRows {
  readonly changes: ChangeInput[];
  readonly rejects: RowReject[];
}

/**
 * Turns one vendor file format into canonical change inputs, row by row, in file order. The batch
 * workflow's "prepare" step runs it before any parallel work, because some formats (Shopify) spread
 * one product over several rows.
 */
export interface Normaliser {
  /**
   * Checks the header row before any data.
   * @throws {ValidationError} naming a missing or duplicated header.
   */
  header(columns: readonly string[]): void;
  /** Takes the next row; may hold rows back until their group is complete. */
  push(row: SourceRow): NormalisedRows;
  /** Ends the file: releases anything held back. */
  flush(): NormalisedRows;
}

export const NOTHING: NormalisedRows = Object.freeze({ changes: [], rejects: [] }) as NormalisedRows;

/** @returns the trimmed cell text, or `undefined` when empty or absent. */
export function cell(values: Readonly<Record<string, unknown>>, column: string): string | undefined {
  const value = values[column];
  if (value === undefined || value === null) return undefined;
  const text = String(value).trim();
  return text === "" ? undefined : text;
}
