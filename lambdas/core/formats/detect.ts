import type { FileFormat } from "../vendor-config.ts";

/** What each file format's header row has that the others do not. */
const SIGNATURES: readonly { format: FileFormat; columns: readonly string[]; description: string }[] = [
  { format: "magento-csv", columns: ["sku", "product_type"], description: "a Magento catalog_product export" },
  { format: "shopify-csv", columns: ["Handle", "Variant Price"], description: "a Shopify product export" },
  { format: "canonical", columns: ["entityType", "entityKey"], description: "our canonical CSV" },
];

/**
 * @returns the format a CSV header row looks like, in words with its config name ("a Shopify product
 * export (format shopify-csv)"), or `undefined` when it looks like none.
 */
export function formatLookingLike(columns: readonly string[], except?: FileFormat): string | undefined {
  const match = SIGNATURES.find(
    (signature) => signature.format !== except && signature.columns.every((column) => columns.includes(column)),
  );
  return match ? `${match.description} (format ${match.format})` : undefined;
}
