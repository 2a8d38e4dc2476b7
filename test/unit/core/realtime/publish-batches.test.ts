import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BILLED_CHUNK_BYTES,
  billedPublishes,
  MAX_BATCH_BYTES,
  MAX_BATCH_ENTRIES,
  messageBytes,
  publishBatches,
} from "../../../../lambdas/core/realtime/publish-batches.ts";

describe("publishBatches", () => {
  it("covers every message once, in order, within SNS's entry and size limits, closing a request only when the next message does not fit", () => {
    // Per run a largest size: small notifications (ten fill a request) up to ones over the limit alone.
    const sizesOf = fc
      .integer({ min: 1, max: 300_000 })
      .chain((largest) => fc.array(fc.integer({ min: 1, max: largest }), { maxLength: 60, size: "max" }));
    fc.assert(
      fc.property(sizesOf, (sizes) => {
        const batches = publishBatches(sizes);
        let next = 0;
        for (const [start, end] of batches) {
          expect(start).toBe(next);
          expect(end).toBeGreaterThan(start);
          expect(end - start).toBeLessThanOrEqual(MAX_BATCH_ENTRIES);
          const bytes = sizes.slice(start, end).reduce((a, b) => a + b, 0);
          // Only a message over the limit on its own may exceed it, alone in its request.
          if (end - start > 1) expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
          // A request is closed only when the next message would break a limit.
          if (end < sizes.length) {
            expect(end - start === MAX_BATCH_ENTRIES || bytes + (sizes[end] ?? 0) > MAX_BATCH_BYTES).toBe(true);
          }
          next = end;
        }
        expect(next).toBe(sizes.length);
      }),
    );
  });

  it("fills requests: a new one starts only when the next message does not fit", () => {
    expect(publishBatches(Array(23).fill(1_000))).toEqual([
      [0, 10],
      [10, 20],
      [20, 23],
    ]);
    expect(publishBatches([100_000, 100_000, 100_000, 10])).toEqual([
      [0, 2],
      [2, 4],
    ]);
    expect(publishBatches([])).toEqual([]);
  });
});

describe("billedPublishes", () => {
  it("bills a request per started 64 KB of its payload, not per message", () => {
    // Ten 1 KB notifications: one request, one 64 KB chunk.
    expect(billedPublishes(Array(10).fill(1_024))).toBe(1);
    expect(billedPublishes(Array(11).fill(1_024))).toBe(2);
    // One request of 4 × 50 KB = 200 KB: four chunks.
    expect(billedPublishes(Array(4).fill(50_000))).toBe(4);
    expect(billedPublishes([BILLED_CHUNK_BYTES, 1])).toBe(2);
  });
});

describe("messageBytes", () => {
  it("counts the body and each attribute's name, type and value in UTF-8", () => {
    expect(messageBytes('{"a":"é"}', { vendorId: "v1" })).toBe(10 + "vendorId".length + "String".length + 2);
  });
});
