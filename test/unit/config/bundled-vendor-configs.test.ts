import { afterEach, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../config/load-vendors.ts";
import { parseVendorConfig } from "../../../lambdas/core/vendor-config.ts";
import { VendorRegistry } from "../../../lambdas/runtime/vendor-registry.ts";

const globals = globalThis as { __VENDOR_CONFIGS__?: string };
afterEach(() => {
  delete globals.__VENDOR_CONFIGS__;
});

describe("vendor configurations bundled into the functions", () => {
  const vendors = [...loadVendorConfigs().values()];

  it("survive the JSON round trip of the bundle exactly as validated, so cold start need not validate again", () => {
    for (const vendor of vendors) {
      const bundled = JSON.parse(JSON.stringify(vendor));
      expect(bundled, vendor.id).toEqual(vendor);
      expect(parseVendorConfig(bundled, "(bundle)"), vendor.id).toEqual(bundled);
    }
  });

  it("are what the registry reads at cold start", () => {
    // What esbuild's `define` inlines (see vendorSyncBundling).
    globals.__VENDOR_CONFIGS__ = JSON.stringify(vendors);
    const registry = VendorRegistry.fromBundle();
    expect(registry.all().map((v) => v.id)).toEqual(vendors.map((v) => v.id));
    expect(registry.get("shopify-demo")).toEqual(vendors.find((v) => v.id === "shopify-demo"));
  });

  it("fail clearly when a bundle holds none", () => {
    expect(() => VendorRegistry.fromBundle()).toThrow(/no vendor configurations were bundled/);
  });
});
