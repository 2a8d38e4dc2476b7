import { isDeepStrictEqual } from "node:util";
import { readVendorConfigs } from "../config/load-vendors.ts";
import { type ConfigError, UnknownVendorError, ValidationError } from "../lambdas/core/errors.ts";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import { VendorRegistry } from "../lambdas/runtime/vendor-registry.ts";

export { resolveVendorsDir } from "../config/load-vendors.ts";

/** What a reload of the vendor folder changed. */
export interface VendorsReload {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  /** Invalid files: refused, the last good configuration (if any) stays in use. */
  readonly refused: readonly { readonly vendorId: string; readonly error: ConfigError; readonly kept: boolean }[];
}

/**
 * The sandbox's vendor configurations: the valid files of the vendor folder, the invalid ones named
 * (the CLI keeps working on the others), and reloads that refuse an invalid edit and keep the last
 * good configuration. One `Map` and one `VendorRegistry`, updated in place, so every part of the
 * sandbox sees a reload at once.
 */
export class SandboxVendors {
  /** Valid configurations by id (mutated in place by {@link reload}). */
  readonly vendors = new Map<string, VendorConfig>();
  readonly registry: VendorRegistry;
  /** The folder read, or `undefined` for configurations given in code (tests). */
  readonly dir: string | undefined;
  /** Invalid files by vendor id (from the file name). */
  readonly invalid = new Map<string, ConfigError>();

  constructor(source: { dir: string } | { vendors: Iterable<VendorConfig> }) {
    this.registry = new VendorRegistry([]);
    if ("dir" in source) {
      this.dir = source.dir;
      const reading = readVendorConfigs(source.dir);
      for (const [id, config] of reading.vendors) this.vendors.set(id, config);
      for (const [id, error] of reading.invalid) this.invalid.set(id, error);
    } else {
      this.dir = undefined;
      for (const config of source.vendors) this.vendors.set(config.id, config);
    }
    this.#publish();
  }

  /**
   * @returns a vendor's configuration.
   * @throws {ValidationError} naming the file's problems when its configuration is invalid, or the
   *   configured vendors when the id is unknown.
   */
  vendor(vendorId: string): VendorConfig {
    const config = this.vendors.get(vendorId);
    if (config) return config;
    const invalid = this.invalid.get(vendorId);
    if (invalid) {
      throw new ValidationError(`vendor ${vendorId}'s configuration is invalid:\n${invalid.message}`, {
        field: "--vendor",
        value: vendorId,
      });
    }
    const error = new UnknownVendorError(vendorId, [...this.vendors.keys()]);
    throw new ValidationError(error.message, { field: "--vendor", value: vendorId });
  }

  /** Re-reads the folder: new and changed valid files take effect, invalid ones are refused. */
  reload(): VendorsReload {
    if (!this.dir) return { added: [], removed: [], changed: [], refused: [] };
    const reading = readVendorConfigs(this.dir);
    const added: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    const refused: VendorsReload["refused"][number][] = [];
    for (const [id, config] of reading.vendors) {
      const before = this.vendors.get(id);
      if (!before) added.push(id);
      else if (!isDeepStrictEqual(before, config)) changed.push(id);
      this.vendors.set(id, config);
    }
    for (const id of [...this.vendors.keys()]) {
      if (reading.vendors.has(id) || reading.invalid.has(id)) continue;
      this.vendors.delete(id);
      removed.push(id);
    }
    for (const [id, error] of reading.invalid) {
      const previous = this.invalid.get(id);
      // Report a refusal once per distinct problem, not on every unrelated reload.
      if (!previous || previous.message !== error.message)
        refused.push({ vendorId: id, error, kept: this.vendors.has(id) });
    }
    this.invalid.clear();
    for (const [id, error] of reading.invalid) this.invalid.set(id, error);
    this.#publish();
    return { added, removed, changed, refused };
  }

  /** Points the registry at the current vendors; a vendor with an invalid file and no last good one is a fault. */
  #publish(): void {
    const faults = new Map<string, string>();
    for (const [id, error] of this.invalid) {
      if (!this.vendors.has(id)) faults.set(id, `configuration file invalid: ${error.message}`);
    }
    this.registry.replace(this.vendors.values(), faults);
  }
}
