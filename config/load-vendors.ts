import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../lambdas/core/errors.ts";
import { parseVendorConfig, type VendorConfig } from "../lambdas/core/vendor-config.ts";

/** The folder holding one `<vendorId>.json` per vendor. */
export const VENDOR_CONFIG_DIR = fileURLToPath(new URL("./vendors/", import.meta.url));

/**
 * Loads and validates every vendor configuration in a folder (synth and the CLI both call this).
 *
 * @param dir - @default {@link VENDOR_CONFIG_DIR}
 * @returns vendors by id.
 * @throws {ConfigError} naming the file and the field of the first invalid configuration.
 */
export function loadVendorConfigs(dir: string = VENDOR_CONFIG_DIR): Map<string, VendorConfig> {
  const vendors = new Map<string, VendorConfig>();
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  for (const name of files) {
    const path = join(dir, name);
    const shown = relative(process.cwd(), path) || path;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new ConfigError(shown, [{ field: "(file)", message: `not valid JSON: ${(error as Error).message}` }]);
    }
    const config = parseVendorConfig(json, shown);
    vendors.set(config.id, config);
  }
  return vendors;
}
