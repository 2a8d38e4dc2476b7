/**
 * What the CLI and the demo may draw: escape codes only on a terminal that allows them — never into a
 * file or pipe, never under NO_COLOR (any non-empty value, as no-color.org says) or TERM=dumb.
 */
import { describe, expect, it } from "vitest";
import { bold, canStyle, plural } from "../../../local/terminal.ts";

const terminal = { isTTY: true };
const file = { isTTY: false };

describe("escape codes", () => {
  it.each([
    [terminal, { TERM: "xterm-256color" }, true],
    [terminal, { TERM: "xterm", NO_COLOR: "1" }, false],
    [terminal, { TERM: "xterm", NO_COLOR: "" }, true],
    [terminal, { TERM: "dumb" }, false],
    [file, { TERM: "xterm" }, false],
  ])("on %j with %j: %s", (stream, env, styled) => {
    expect(canStyle(stream, env)).toBe(styled);
    expect(bold("Heading", stream, env)).toBe(styled ? "\u001b[1mHeading\u001b[0m" : "Heading");
  });
});

describe("counted nouns", () => {
  it("agree with their count", () => {
    expect([0, 1, 2].map((n) => plural(n, "product"))).toEqual(["0 products", "1 product", "2 products"]);
    expect(plural(1, "delivery", "deliveries")).toBe("1 delivery");
    expect(plural(3, "delivery", "deliveries")).toBe("3 deliveries");
  });
});
