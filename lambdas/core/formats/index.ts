import { ValidationError } from "../errors.ts";
import type { FileFormat, VendorConfig } from "../vendor-config.ts";
import { CanonicalNormaliser } from "./canonical.ts";
import { formatLookingLike } from "./detect.ts";
import { MagentoCsvNormaliser } from "./magento-csv.ts";
import type { FileItem, NormalisedRows, Normaliser } from "./normaliser.ts";
import { ShopifyCsvNormaliser } from "./shopify-csv.ts";

export type { FileItem, NormalisedRows, Normaliser, RowReject, SourceRow } from "./normaliser.ts";

/** How a file is read before normalising. */
export type FileSyntax = "csv" | "jsonl";

/**
 * @returns a fresh normaliser for a vendor format and file syntax (the canonical format comes as CSV
 * or JSON Lines; vendor exports are CSV).
 * @throws {ValidationError} for a JSON Lines file given to a vendor whose exports are CSV.
 */
export function createNormaliser(
  format: FileFormat,
  syntax: FileSyntax,
  options: { weightUnit?: string } = {},
): Normaliser {
  switch (format) {
    case "canonical":
      return namingOtherFormats(new CanonicalNormaliser({ csv: syntax === "csv" }), format);
    case "magento-csv":
    case "shopify-csv":
      if (syntax !== "csv") {
        throw new ValidationError(
          `this vendor's files are ${format === "magento-csv" ? "Magento catalog" : "Shopify product"} CSV exports (format ${format}), not JSON Lines; a .jsonl file looks like our canonical format (format canonical): is it another vendor's file? (rename it to .csv if it is CSV)`,
          { field: "<file>" },
        );
      }
      return namingOtherFormats(
        format === "magento-csv" ? new MagentoCsvNormaliser(options) : new ShopifyCsvNormaliser(),
        format,
      );
  }
}

/** One step of a file normalised: a row that could not be read, or the rows a normaliser released. */
export type NormalisedStep =
  | { readonly kind: "unreadable"; readonly line: number; readonly reason: string }
  | {
      readonly kind: "rows";
      readonly rows: NormalisedRows;
      /** Whether a source row was read for it (`false` for what the normaliser held back to the end). */
      readonly rowRead: boolean;
    };

/**
 * Normalises a file's items with the vendor's normaliser (`channels.file.format`, canonical by
 * default), in file order: one step per row read, then what the normaliser held back. The one reading
 * of a file every file workflow shares (imports, file drops, the batch workflow's prepare stage).
 *
 * @throws {ValidationError} at once for a syntax the vendor's format cannot be in; while iterating, for
 *   a bad header or a file that cannot be read as a whole (the job fails with {@link fileError}).
 */
export function normaliseFile(
  vendor: Pick<VendorConfig, "channels">,
  syntax: FileSyntax,
  items: AsyncIterable<FileItem>,
): AsyncGenerator<NormalisedStep> {
  const normaliser = createNormaliser(vendor.channels.file?.format ?? "canonical", syntax, {
    weightUnit: vendor.channels.file?.weightUnit,
  });
  return (async function* () {
    for await (const item of items) {
      if (item.kind === "header") {
        // An empty file has no header: it ends at once with zero counts.
        if (item.columns.length > 0) normaliser.header(item.columns);
      } else if (item.kind === "unreadable") {
        yield item;
      } else {
        yield { kind: "rows", rows: normaliser.push(item.row), rowRead: true };
      }
    }
    yield { kind: "rows", rows: normaliser.flush(), rowRead: false };
  })();
}

/** @returns why a file failed as a whole, with its line when known. */
export function fileError(error: ValidationError): string {
  return error.line ? `line ${error.line}: ${error.message}` : error.message;
}

/**
 * A normaliser whose header check, when it refuses a header row, also says which other format the
 * file looks like ("… it looks like a Shopify product export (format shopify-csv)"): a file given to
 * the wrong vendor.
 */
function namingOtherFormats(normaliser: Normaliser, format: FileFormat): Normaliser {
  const header = normaliser.header.bind(normaliser);
  normaliser.header = (columns) => {
    try {
      header(columns);
    } catch (error) {
      const other = error instanceof ValidationError ? formatLookingLike(columns, format) : undefined;
      if (!other || !(error instanceof ValidationError)) throw error;
      throw new ValidationError(`${error.message}; it looks like ${other}: is it another vendor's file?`, {
        ...(error.field ? { field: error.field } : {}),
        ...(error.line ? { line: error.line } : {}),
        cause: error,
      });
    }
  };
  return normaliser;
}
