import { ConfigError, UnknownVendorError } from "../core/errors.ts";
import type { VendorConfig } from "../core/vendor-config.ts";

/**
 * The vendor configurations, inlined into each bundle at synth by esbuild's `define` (validated by
 * the CDK app first). Absent outside a bundle.
 */
declare const __VENDOR_CONFIGS__: string | undefined;

/** Vendors by id, with a lookup that fails clearly for an unknown id. */
export class VendorRegistry {
  #vendors: ReadonlyMap<string, VendorConfig>;
  #faults: ReadonlyMap<string, string>;

  /**
   * @param faults - vendors whose configuration could not be loaded, by id, with the problem (the
   *   sandbox keeps serving the others; their deliveries are answered as configuration faults).
   */
  constructor(vendors: Iterable<VendorConfig>, faults: ReadonlyMap<string, string> = new Map()) {
    this.#vendors = new Map([...vendors].map((vendor) => [vendor.id, vendor]));
    this.#faults = faults;
  }

  /** Swaps in reloaded configurations (`vendor-sync serve` after an edit); every holder sees them at once. */
  replace(vendors: Iterable<VendorConfig>, faults: ReadonlyMap<string, string> = new Map()): void {
    this.#vendors = new Map([...vendors].map((vendor) => [vendor.id, vendor]));
    this.#faults = faults;
  }

  /** @returns why a vendor's configuration could not be loaded, or `undefined` when it loaded (or is unknown). */
  configurationFault(vendorId: string): string | undefined {
    return this.#faults.get(vendorId);
  }

  /**
   * Reads the configurations bundled at synth. They are the CDK app's parsed, validated and defaulted
   * configurations (`loadVendorConfigs` fails the synth on any error), so they are not validated again
   * at cold start: that would bundle the schema's cron checker (croner) into every function and spend
   * init time on a check that cannot fail.
   * @throws {ConfigError} when the bundle holds no configurations.
   */
  static fromBundle(): VendorRegistry {
    if (typeof __VENDOR_CONFIGS__ === "undefined") {
      throw new ConfigError("(bundle)", [
        { field: "__VENDOR_CONFIGS__", message: "no vendor configurations were bundled" },
      ]);
    }
    return new VendorRegistry(JSON.parse(__VENDOR_CONFIGS__) as VendorConfig[]);
  }

  /** @throws {UnknownVendorError} (a `ValidationError`) for an unknown vendor id. */
  get(vendorId: string): VendorConfig {
    const vendor = this.#vendors.get(vendorId);
    if (!vendor) throw new UnknownVendorError(vendorId, [...this.#vendors.keys()]);
    return vendor;
  }

  has(vendorId: string): boolean {
    return this.#vendors.has(vendorId);
  }

  all(): VendorConfig[] {
    return [...this.#vendors.values()];
  }
}
