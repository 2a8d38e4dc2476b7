import { isUtf8 } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StrictDecoder } from "../../../lambdas/adapters/strict-decoder.ts";

/** Boundary bytes of UTF-8's rules (lead ranges, continuation limits, overlongs, surrogates, > U+10FFFF). */
const edgeByte = fc.oneof(
  fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf),
  fc.integer({ min: 0x80, max: 0xff }),
);

/** Bytes that are mostly valid UTF-8 text, with stray bytes mixed in. */
const mostlyText = fc
  .array(
    fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 4 }).map((s) => [...Buffer.from(s)]),
      fc.array(edgeByte, { maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => Buffer.from(parts.flat()));

function decodeInChunks(bytes: Buffer, cuts: number[]) {
  const decoder = new StrictDecoder("utf-8");
  let text = "";
  let from = 0;
  for (const cut of [...cuts.filter((c) => c < bytes.length)].sort((a, b) => a - b)) {
    text += `${decoder.write(bytes.subarray(from, cut))}`;
    from = cut;
  }
  text += `${decoder.write(bytes.subarray(from))}${decoder.end()}`;
  return { text, invalid: decoder.invalid };
}

describe("StrictDecoder (UTF-8)", () => {
  it("decodes like the WHATWG decoder however the bytes are cut, and records invalid bytes exactly when there are some", () => {
    fc.assert(
      fc.property(mostlyText, fc.array(fc.nat(120), { maxLength: 6 }), (bytes, cuts) => {
        const { text, invalid } = decodeInChunks(bytes, cuts);
        expect(text).toBe(new TextDecoder().decode(bytes));
        expect(invalid.length === 0).toBe(isUtf8(bytes));
        for (const found of invalid)
          expect(isUtf8(bytes.subarray(found.offset, found.offset + found.bytes.length))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("numbers the line of each invalid sequence", () => {
    const { invalid } = decodeInChunks(Buffer.from([0x61, 0x0a, 0x0a, 0xe9, 0x0a, 0xf0, 0x9f]), [4, 6]);
    expect(invalid.map(({ offset, line }) => ({ offset, line }))).toEqual([
      { offset: 3, line: 3 },
      { offset: 5, line: 4 },
    ]);
  });
});
