import { describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../../config/load-vendors.ts";
import {
  buildExecutionInput,
  executionNameFor,
  MAX_EXECUTION_NAME_LENGTH,
  vendorIdFromKey,
} from "../../../../lambdas/core/batch/execution.ts";
import { ValidationError } from "../../../../lambdas/core/errors.ts";

describe("execution names", () => {
  const source = {
    bucket: "imports-bucket",
    key: "imports/magento-luma/catalog 2026/11.csv",
    versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
  };

  it("are at most 80 characters of letters, digits and dashes, whatever the key", () => {
    const name = executionNameFor({ ...source, key: `imports/v/${"ü/".repeat(500)}file.csv` });
    expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME_LENGTH);
    expect(name).toMatch(/^[A-Za-z0-9-]+$/);
  });

  it("are the same for the same upload and differ for another version of the same key", () => {
    expect(executionNameFor(source)).toBe(executionNameFor({ ...source }));
    expect(executionNameFor({ ...source, versionId: "other" })).not.toBe(executionNameFor(source));
    expect(executionNameFor({ ...source, bucket: "other-bucket" })).not.toBe(executionNameFor(source));
  });
});

describe("upload keys", () => {
  it("name the vendor in the folder after imports/", () => {
    expect(vendorIdFromKey("imports/shopify-demo/products_export.csv")).toBe("shopify-demo");
    expect(vendorIdFromKey("imports/canonical/2026/11/feed.jsonl")).toBe("canonical");
  });

  it.each(["imports/feed.csv", "uploads/canonical/feed.csv", "imports/Canonical/feed.csv", "imports/canonical/"])(
    "fails for %s, which is not imports/<vendorId>/<file>",
    (key) => {
      expect(() => vendorIdFromKey(key)).toThrow(ValidationError);
    },
  );
});

describe("execution input", () => {
  it("carries the vendor's MaxConcurrency and tolerated failure percentage for the Maps", () => {
    const vendor = loadVendorConfigs().get("magento-luma");
    if (!vendor) throw new Error("magento-luma missing");
    expect(
      buildExecutionInput({
        vendor,
        jobId: "J",
        source: { bucket: "b", key: "imports/magento-luma/f.csv" },
        trigger: "upload",
      }),
    ).toEqual({
      jobId: "J",
      vendorId: "magento-luma",
      source: { bucket: "b", key: "imports/magento-luma/f.csv" },
      asOf: null,
      full: false,
      dryRun: false,
      trigger: "upload",
      config: { maxConcurrency: vendor.maxConcurrency, toleratedFailurePercent: vendor.toleratedRejectedPercent },
    });
  });
});
