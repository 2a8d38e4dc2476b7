import type { ChangeInput } from "../change-input.ts";
import { ValidationError } from "../errors.ts";
import { NOTHING, type NormalisedRows, type Normaliser, type SourceRow } from "./normaliser.ts";

const ENVELOPE_COLUMNS = [
  "entityType",
  "entityKey",
  "op",
  "eventId",
  "sourceTs",
  "sourceVersion",
  "source",
  "expectedVersion",
];
const NUMERIC_COLUMNS = new Set(["sourceVersion", "expectedVersion"]);

/** Parses a CSV attribute cell: `null` clears, `[…]`/`{…}` is JSON, anything else is text. */
function attributeCell(text: string, column: string, line: number): unknown {
  if (text === "null") return null;
  if (text.startsWith("[") || text.startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ValidationError(`${column}: not valid JSON`, { field: column, line, cause: error });
    }
  }
  return text;
}

/**
 * The canonical format: one change per row. JSON Lines rows are change inputs as they are; CSV rows
 * name envelope fields in columns and attributes in `attributes.<name>` columns (empty cell = absent,
 * `null` = clear, JSON for lists and maps).
 *
 * @see ../../../docs/canonical-format.md
 */
export class CanonicalNormaliser implements Normaliser {
  readonly #csv: boolean;

  constructor(options: { csv: boolean }) {
    this.#csv = options.csv;
  }

  header(columns: readonly string[]): void {
    if (!this.#csv) return;
    for (const required of ["entityType", "entityKey"]) {
      if (!columns.includes(required)) {
        throw new ValidationError(`missing header "${required}"`, { field: required, line: 1 });
      }
    }
    const unknown = columns.filter((c) => !ENVELOPE_COLUMNS.includes(c) && !c.startsWith("attributes.") && c !== "");
    if (unknown.length > 0) {
      throw new ValidationError(`unknown header ${JSON.stringify(unknown[0])} (attributes go in "attributes.<name>")`, {
        field: unknown[0],
        line: 1,
      });
    }
  }

  push(row: SourceRow): NormalisedRows {
    if (!this.#csv) return { changes: [{ ...(row.values as ChangeInput), line: row.line }], rejects: [] };
    try {
      const input: Record<string, unknown> = { line: row.line };
      const attributes: Record<string, unknown> = {};
      for (const [column, raw] of Object.entries(row.values)) {
        const text = typeof raw === "string" ? raw : raw === undefined || raw === null ? "" : String(raw);
        if (text === "") continue;
        if (column.startsWith("attributes.")) {
          attributes[column.slice("attributes.".length)] = attributeCell(text, column, row.line);
        } else if (NUMERIC_COLUMNS.has(column) && /^\d+$/.test(text)) {
          input[column] = Number(text);
        } else if (column === "sourceTs" && /^\d{10,}$/.test(text)) {
          input[column] = Number(text);
        } else if (column !== "") {
          input[column] = text;
        }
      }
      if (Object.keys(attributes).length > 0) input.attributes = attributes;
      return { changes: [input as ChangeInput], rejects: [] };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { changes: [], rejects: [{ line: row.line, reason: error.message, field: error.field }] };
    }
  }

  flush(): NormalisedRows {
    return NOTHING;
  }
}
