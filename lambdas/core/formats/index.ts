import { ValidationError } from "../errors.ts";
import type { FileFormat } from "../vendor-config.ts";
import { CanonicalNormaliser } from "./canonical.ts";
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
      return new CanonicalNormaliser({ csv: syntax === "csv" });
    case "magento-csv":
    case "shopify-csv":
      if (syntax !== "csv") {
        throw new ValidationError(
          `this vendor's files are ${format === "magento-csv" ? "Magento catalog" : "Shopify product"} CSV exports, not JSON Lines (rename the file to .csv if it is CSV)`,
          { field: "<file>" },
        );
      }
      return format === "magento-csv" ? new MagentoCsvNormaliser(options) : new ShopifyCsvNormaliser();
  }
}
