import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../lambdas/core/errors.ts";
import { readAll, readText } from "../../support/files.ts";

const rows = (items: Awaited<ReturnType<typeof readText>>) =>
  items.filter((i) => i.kind === "row").map((i) => (i.kind === "row" ? i.row : undefined));

describe("readRows — CSV", () => {
  it("strips a UTF-8 BOM before the first header", async () => {
    const items = await readText("\ufeffsku,price\nA,1\n");
    expect(items[0]).toEqual({ kind: "header", columns: ["sku", "price"] });
  });

  it("reads CRLF and LF alike, with the line each row starts on", async () => {
    const crlf = rows(await readText("a,b\r\n1,2\r\n3,4"));
    const lf = rows(await readText("a,b\n1,2\n3,4\n"));
    expect(crlf).toEqual(lf);
    expect(crlf.map((r) => r?.line)).toEqual([2, 3]);
  });

  it("keeps commas, doubled quotes and line breaks inside quoted fields, and counts lines right after them", async () => {
    const items = rows(await readText('a,b\n1,"x, ""y""\nz"\n\n2,w\n'));
    expect(items).toEqual([
      { line: 2, values: { a: "1", b: 'x, "y"\nz' } },
      { line: 5, values: { a: "2", b: "w" } },
    ]);
  });

  it("reports a row with the wrong number of fields and keeps reading", async () => {
    const items = await readText("a,b\n1,2,3\n4,5\n");
    expect(items[1]).toEqual({ kind: "unreadable", line: 2, reason: "row has 3 fields, the header has 2" });
    expect(items[2]).toMatchObject({ kind: "row", row: { line: 3 } });
  });

  it("fails on a duplicated header, naming it", async () => {
    await expect(readText("sku,price,sku\n")).rejects.toThrow(/duplicate header "sku"/);
  });

  it("fails with the line when a quote is never closed", async () => {
    await expect(readText('a,b\n1,2\n3,"open\n4,5\n')).rejects.toBeInstanceOf(ValidationError);
  });

  it("yields an empty header for an empty file", async () => {
    expect(await readText("")).toEqual([{ kind: "header", columns: [] }]);
  });

  it("decodes Windows-1252 when the vendor declares it", async () => {
    const bytes = Buffer.from([0x61, 0x0a, 0x43, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x0a]); // "a\nCafé €\n"
    expect(rows(await readText(bytes, "csv", { encoding: "windows-1252" }))[0]?.values).toEqual({ a: "Café €" });
  });

  it("reads the Magento sample: 1,994 records over 3,941 physical lines", async () => {
    const items = rows(await readAll("examples/magento-luma/configurable_products.csv"));
    expect(items).toHaveLength(1994);
    expect(items[0]?.line).toBe(2);
    expect(items.at(-1)?.values.sku).toBe("WSH12");
  });
});

describe("readRows — JSON Lines", () => {
  it("reads objects with their line numbers, skipping blank lines and a BOM", async () => {
    const items = await readText('\ufeff{"a":1}\r\n\r\n{"a":2}', "jsonl");
    expect(rows(items)).toEqual([
      { line: 1, values: { a: 1 } },
      { line: 3, values: { a: 2 } },
    ]);
  });

  it("keeps a raw U+2028 or U+2029 inside a JSON string in its record (only LF ends a line)", async () => {
    const items = await readText('{"t":"a\u2028b\u2029c"}\n{"t":"d"}\n', "jsonl");
    expect(rows(items)).toEqual([
      { line: 1, values: { t: "a\u2028b\u2029c" } },
      { line: 2, values: { t: "d" } },
    ]);
  });

  it("reports lines that are not JSON objects and keeps reading", async () => {
    const items = await readText('{"a":1}\n{oops\n[1]\n{"a":2}\n', "jsonl");
    expect(items.filter((i) => i.kind === "unreadable").map((i) => (i.kind === "unreadable" ? i.line : 0))).toEqual([
      2, 3,
    ]);
    expect(rows(items)).toHaveLength(2);
  });

  it("names the file's line and the column in a JSON error, not the parser's own line 1", async () => {
    const items = await readText('{"a":1}\n{"a":1}\n{"entityType":"price" "entityKey":"B"}\n', "jsonl");
    const bad = items.find((i) => i.kind === "unreadable");
    expect(bad).toMatchObject({ line: 3 });
    const reason = bad?.kind === "unreadable" ? bad.reason : "";
    expect(reason).toMatch(/^not valid JSON: /);
    expect(reason).not.toMatch(/line 1/);
  });
});

describe("readRows — bytes not valid in the declared encoding", () => {
  const bytes = (...parts: (string | number[])[]) =>
    Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part) : Buffer.from(part))));

  it("rejects each row holding them, naming the byte offset and the likely encoding; the other rows come through", async () => {
    const file = bytes("sku,title\nA,Caf", [0xe9], '\nB,plain\nC,"two\nlines ', [0xff], '"\nD,end\n');
    const items = await readText(file);
    expect(items.filter((i) => i.kind === "unreadable")).toEqual([
      {
        kind: "unreadable",
        line: 2,
        reason:
          "byte 0xE9 at byte offset 15 is not valid utf-8; the file looks like windows-1252: set the vendor's channels.file.encoding",
      },
      {
        kind: "unreadable",
        line: 4,
        reason: expect.stringMatching(/^byte 0xFF at byte offset 38 is not valid utf-8/),
      },
    ]);
    expect(rows(items)).toEqual([
      { line: 3, values: { sku: "B", title: "plain" } },
      { line: 6, values: { sku: "D", title: "end" } },
    ]);
  });

  it("keeps a U+FFFD the file really holds, and never makes one up", async () => {
    const items = await readText(bytes("sku,title\nA,real \uFFFD here\nB,x", [0xc3, 0x28], "\n"));
    expect(rows(items)).toEqual([{ line: 2, values: { sku: "A", title: "real \uFFFD here" } }]);
    expect(items[2]).toMatchObject({ kind: "unreadable", line: 3, reason: /bytes? 0xC3 at byte offset 33/ });
  });

  it("refuses the file when the header itself holds them", async () => {
    await expect(readText(bytes("sku,t", [0xe9], "tre\nA,b\n"))).rejects.toThrow(
      /^header: byte 0xE9 at byte offset 5 is not valid utf-8/,
    );
  });

  it("names a UTF-16 file sent as UTF-8 by its byte order mark", async () => {
    await expect(readText(bytes([0xff, 0xfe], Buffer.from("sku\nA\n", "utf16le").toJSON().data))).rejects.toThrow(
      /the file looks like utf-16le/,
    );
  });

  it("rejects a windows-1252 byte the code page does not define, and a lone surrogate in UTF-16LE", async () => {
    const cp1252 = await readText(bytes("sku,title\nA,x", [0x81], "\nB,", [0x80], "\n"), "csv", {
      encoding: "windows-1252",
    });
    expect(cp1252[1]).toMatchObject({ kind: "unreadable", line: 2, reason: /byte 0x81 at byte offset 13/ });
    expect(rows(cp1252)).toEqual([{ line: 3, values: { sku: "B", title: "€" } }]);
    const utf16 = Buffer.concat([
      Buffer.from("sku,title\nA,é😀\nB,", "utf16le"),
      Buffer.from([0x00, 0xd8]),
      Buffer.from("x\n", "utf16le"),
    ]);
    const items = await readText(utf16, "csv", { encoding: "utf-16le" });
    expect(rows(items)).toEqual([{ line: 2, values: { sku: "A", title: "é😀" } }]);
    expect(items[2]).toMatchObject({ kind: "unreadable", line: 3, reason: /bytes 0x00 0xD8 at byte offset 36/ });
  });

  it("rejects a JSON line holding them, naming the line", async () => {
    const items = await readText(bytes('{"a":"x', [0xc3, 0x28], '"}\n{"a":"ok"}\n'), "jsonl");
    expect(items[1]).toMatchObject({ kind: "unreadable", line: 1, reason: /byte 0xC3 at byte offset 7/ });
    expect(rows(items)).toEqual([{ line: 2, values: { a: "ok" } }]);
  });
});
