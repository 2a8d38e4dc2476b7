import { describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../../../config/load-vendors.ts";
import { batchLines } from "../../../../lambdas/core/batch/batching.ts";
import {
  buildExecutionInput,
  executionNameFor,
  MAX_EXECUTION_NAME_LENGTH,
  vendorIdFromKey,
} from "../../../../lambdas/core/batch/execution.ts";
import { planBatchId } from "../../../../lambdas/core/batch/layout.ts";
import { ValidationError } from "../../../../lambdas/core/errors.ts";

async function* lines(items: readonly unknown[]) {
  for (const item of items) yield JSON.stringify(item);
}
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

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

describe("item batching (the ItemBatcher the sandbox emulates)", () => {
  it("cuts batches at the item limit, in reader order", async () => {
    const batches = await collect(
      batchLines<{ seq: number }>(lines(Array.from({ length: 7 }, (_, seq) => ({ seq }))), {
        maxItems: 3,
        maxInputBytes: 10_000,
      }),
    );
    expect(batches.map((b) => b.map((item) => item.seq))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it("cuts batches before the byte limit is exceeded", async () => {
    const item = { text: "x".repeat(90) }; // 101 bytes of JSON, 102 with its comma
    const batches = await collect(
      batchLines(lines(Array.from({ length: 5 }, () => item)), { maxItems: 100, maxInputBytes: 250 }),
    );
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });

  it("fails on an item larger than a whole batch may be", async () => {
    await expect(
      collect(batchLines(lines([{ text: "x".repeat(300) }]), { maxItems: 10, maxInputBytes: 250 })),
    ).rejects.toThrow(RangeError);
  });

  it("names plan batches so they sort in file order", () => {
    expect([planBatchId(1000), planBatchId(0), planBatchId(20)].sort()).toEqual([
      planBatchId(0),
      planBatchId(20),
      planBatchId(1000),
    ]);
  });
});
