import { describe, expect, it } from "vitest";
import { batchLines } from "../../../../lambdas/core/batch/batching.ts";
import { planBatchId } from "../../../../lambdas/core/batch/layout.ts";

async function* lines(items: readonly unknown[]) {
  for (const item of items) yield JSON.stringify(item);
}
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

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
