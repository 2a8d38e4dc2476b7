/**
 * Every table in the repository's Markdown renders whole (marked, GitHub-flavoured): no row cut off
 * from its table by a paragraph or a blank line, where it would show as a line of pipes.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lexer, type Token, type Tokens } from "marked";
import { describe, expect, it } from "vitest";
import { repoPath } from "../../support/files.ts";

function markdownFiles(dir: string): string[] {
  return readdirSync(repoPath(dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ["node_modules", ".git", ".vendor-sync", "bench"].includes(entry.name) ? [] : markdownFiles(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

const FILES = [...markdownFiles("docs"), ...markdownFiles("examples"), "README.md"];

/** Paragraphs whose lines look like table rows: rows that fell out of their table. */
function strayRows(tokens: readonly Token[]): string[] {
  return tokens
    .filter((token): token is Tokens.Paragraph => token.type === "paragraph")
    .flatMap((token) => token.raw.split("\n").filter((line) => /^\|.*\|\s*$/.test(line)));
}

describe("Markdown tables render whole", () => {
  it("finds the repository's Markdown, examples/README.md among it", () => {
    expect(FILES).toContain(join("examples", "README.md"));
  });

  it.each(FILES)("%s: every row inside its table", (file) => {
    const tokens = lexer(readFileSync(repoPath(file), "utf8"));
    expect(strayRows(tokens)).toEqual([]);
    for (const table of tokens.filter((token): token is Tokens.Table => token.type === "table")) {
      const lines = table.raw.trimEnd().split("\n");
      expect(lines.length, table.raw).toBe(table.rows.length + 2);
    }
  });
});
