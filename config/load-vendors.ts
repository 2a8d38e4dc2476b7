import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../lambdas/core/errors.ts";
import { parseVendorConfig, type VendorConfig } from "../lambdas/core/vendor-config.ts";
import { displayPath } from "./display-path.ts";

/** The folder holding one `<vendorId>.json` per vendor. */
export const VENDOR_CONFIG_DIR = fileURLToPath(new URL("./vendors/", import.meta.url));

/**
 * The folder vendor configurations are read from — by synth, the CLI and `serve` alike:
 * `$VENDOR_SYNC_VENDORS_DIR`, else the project's `config/vendors/`.
 */
export function resolveVendorsDir(env: NodeJS.ProcessEnv): string {
  return env.VENDOR_SYNC_VENDORS_DIR || VENDOR_CONFIG_DIR;
}

export { displayPath } from "./display-path.ts";

/** Every vendor file of a folder, read one by one: the valid ones, and a problem per invalid one. */
export interface VendorConfigReading {
  /** Valid configurations by id. */
  readonly vendors: Map<string, VendorConfig>;
  /** One error per invalid file (naming the file and each problem), by the vendor id its file name gives. */
  readonly invalid: Map<string, ConfigError>;
}

/**
 * Reads every vendor configuration in a folder, keeping going past an invalid file: the CLI and
 * `serve` work on the valid vendors and name the invalid ones.
 *
 * @param dir - @default {@link VENDOR_CONFIG_DIR}
 */
export function readVendorConfigs(dir: string = VENDOR_CONFIG_DIR): VendorConfigReading {
  const vendors = new Map<string, VendorConfig>();
  const invalid = new Map<string, ConfigError>();
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  for (const name of files) {
    const path = join(dir, name);
    const shown = displayPath(path);
    const id = name.replace(/\.json$/, "");
    try {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, "utf8"));
      } catch (error) {
        throw new ConfigError(shown, [{ field: "", message: `not valid JSON: ${(error as Error).message}` }]);
      }
      const config = parseVendorConfig(json, shown);
      vendors.set(config.id, config);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      invalid.set(id, error);
    }
  }
  return { vendors, invalid };
}

/**
 * Loads and validates every vendor configuration in a folder, refusing any invalid one (synth).
 *
 * @param dir - @default {@link VENDOR_CONFIG_DIR}
 * @returns vendors by id.
 * @throws {ConfigError} naming every invalid file and each of its problems.
 */
export function loadVendorConfigs(dir: string = VENDOR_CONFIG_DIR): Map<string, VendorConfig> {
  const { vendors, invalid } = readVendorConfigs(dir);
  const errors = [...invalid.values()];
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw ConfigError.combine(errors);
  return vendors;
}
