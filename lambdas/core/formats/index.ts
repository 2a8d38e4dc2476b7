import { ValidationError } from "../errors.ts";
import type { FileFormat } from "../vendor-config.ts";
import { CanonicalNormaliser } from "./canonical.ts";
import { formatLookingLike } from "./detect.ts";
import { MagentoCsvNormaliser } from "./magento-csv.ts";
import type { Normaliser } from "./normaliser.ts";
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
