/**
 * Realistic benchmark data, built from the bundled vendor files (examples/): the Luma Magento catalog
 * (HTML descriptions, images, configurable products) and the canonical JSON Lines feed. Generated
 * files repeat the real rows with suffixed SKUs, so every row stays what a vendor really sends.
 */

import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { batchChangeContext } from "../../lambdas/core/batch/prepare.ts";
import type { ChangeContext } from "../../lambdas/core/change.ts";
import type { ChangeInput } from "../../lambdas/core/change-input.ts";
import { createNormaliser } from "../../lambdas/core/formats/index.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const MAGENTO_CSV = `${ROOT}examples/magento-luma/configurable_products.csv`;
export const CANONICAL_JSONL = [
  `${ROOT}examples/canonical/01-baseline.jsonl`,
  `${ROOT}examples/canonical/03-vendor-updates.jsonl`,
];

/** A fixed as-of time for file rows without their own (2026-11-01T06:00:00Z). */
export const AS_OF = Date.UTC(2026, 10, 1, 6);

let vendors: Map<string, VendorConfig> | undefined;

/** @returns a bundled vendor configuration (config/vendors). */
export function vendor(id: "magento-luma" | "canonical" | "shopify-demo"): VendorConfig {
  vendors ??= loadVendorConfigs();
  const config = vendors.get(id);
  if (!config) throw new Error(`vendor ${id} is not configured`);
  return config;
}

/** @returns the change context a batch job of this vendor uses. */
export function contextFor(config: VendorConfig, jobId = "bench", asOf = AS_OF): ChangeContext {
  return batchChangeContext(config, jobId, asOf);
}

/** The Magento example as parsed CSV: the header and the data rows. */
export function magentoTable(): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parse(readFileSync(MAGENTO_CSV), { bom: true, relax_column_count: true }) as string[][];
  return { header: header as string[], rows };
}

/** @returns the example's data rows with every SKU (and the SKUs its variations name) suffixed. */
export function suffixRows(header: readonly string[], rows: readonly string[][], suffix: string): string[][] {
  const sku = header.indexOf("sku");
  const variations = header.indexOf("configurable_variations");
  return rows.map((row) => {
    const copy = [...row];
    copy[sku] = `${row[sku]}${suffix}`;
    if (variations >= 0 && row[variations]) {
      copy[variations] = (row[variations] as string).replace(/sku=([^,|]+)/g, (_m, s: string) => `sku=${s}${suffix}`);
    }
    return copy;
  });
}

/**
 * The canonical change inputs the Magento example normalises to (product, price and inventory per
 * row), with the line they came from.
 */
export function magentoChangeInputs(): ChangeInput[] {
  const { header, rows } = magentoTable();
  const normaliser = createNormaliser("magento-csv", "csv", { weightUnit: "lb" });
  normaliser.header(header);
  const inputs: ChangeInput[] = [];
  rows.forEach((row, i) => {
    const values = Object.fromEntries(header.map((name, c) => [name, row[c] ?? ""]));
    inputs.push(...normaliser.push({ line: i + 2, values }).changes);
  });
  return inputs;
}

/**
 * A fixed set of realistic canonical JSON Lines: the canonical examples, then every change of the
 * Magento catalog written as a canonical line (with an event id and time, as a vendor's feed has).
 */
export function canonicalLines(): string[] {
  const examples = CANONICAL_JSONL.flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== ""),
  );
  const fromCatalog = magentoChangeInputs().map((input, i) =>
    JSON.stringify({
      ...input,
      line: undefined,
      eventId: `luma-2026-11-01-${String(i).padStart(6, "0")}`,
      sourceTs: "2026-11-01T06:00:00Z",
    }),
  );
  return [...examples, ...fromCatalog];
}

/** How {@link writeMagentoCsv} varies a copy of the catalog. */
export interface MagentoCopyOptions {
  /** Every this-many-th row's price moves by +1 % (a resync's changed rows). @default none */
  readonly changedEvery?: number;
}

/**
 * Writes a Magento catalog CSV made of whole copies of the example (SKUs suffixed per copy) until it
 * has at least `minRows` data rows or `minBytes` bytes.
 * @returns the rows and bytes written.
 */
export async function writeMagentoCsv(
  path: string,
  size: { minRows?: number; minBytes?: number },
  options: MagentoCopyOptions = {},
): Promise<{ rows: number; bytes: number }> {
  const { header, rows } = magentoTable();
  const price = header.indexOf("price");
  const every = options.changedEvery ?? 0;
  const out = createWriteStream(path);
  let bytes = 0;
  let written = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  };
  await write(stringify([header]));
  for (let copy = 0; written < (size.minRows ?? 0) || bytes < (size.minBytes ?? 0); copy++) {
    const batch = suffixRows(header, rows, `-c${copy}`);
    if (every > 0) {
      batch.forEach((row, i) => {
        if ((written + i) % every === 0 && row[price]) row[price] = (Number(row[price]) * 1.01).toFixed(2);
      });
    }
    const take =
      size.minRows !== undefined && size.minBytes === undefined
        ? Math.min(batch.length, size.minRows - written)
        : batch.length;
    await write(stringify(batch.slice(0, take)));
    written += take;
  }
  out.end();
  await once(out, "finish");
  return { rows: written, bytes };
}

/**
 * Writes a canonical JSON Lines file made of copies of {@link canonicalLines} (keys and event ids
 * suffixed per copy) until it has at least `minBytes` bytes.
 * @returns the lines and bytes written.
 */
export async function writeCanonicalJsonl(path: string, minBytes: number): Promise<{ lines: number; bytes: number }> {
  const base = canonicalLines().map((line) => JSON.parse(line) as Record<string, unknown>);
  const out = createWriteStream(path);
  let bytes = 0;
  let lines = 0;
  for (let copy = 0; bytes < minBytes; copy++) {
    const chunk = `${base
      .map((change) =>
        JSON.stringify({
          ...change,
          entityKey: `${change.entityKey}-c${copy}`,
          eventId: `${change.eventId}-c${copy}`,
        }),
      )
      .join("\n")}\n`;
    bytes += Buffer.byteLength(chunk);
    lines += base.length;
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return { lines, bytes };
}
