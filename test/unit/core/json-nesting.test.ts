import { describe, expect, it } from "vitest";
import { assertJsonTextNesting, assertValueNesting, MAX_JSON_NESTING } from "../../../lambdas/core/json-nesting.ts";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("assertJsonTextNesting", () => {
  it(`accepts ${MAX_JSON_NESTING} levels and refuses one more, naming the limit and where`, () => {
    expect(() => assertJsonTextNesting(nested(MAX_JSON_NESTING), { field: "body" })).not.toThrow();
    expect(() => assertJsonTextNesting(nested(MAX_JSON_NESTING + 1), { field: "body" })).toThrow(
      `body (at character ${MAX_JSON_NESTING}) nests arrays and objects more than ${MAX_JSON_NESTING} levels deep`,
    );
  });

  it("counts objects and arrays alike, and ignores brackets inside strings (escaped quotes included)", () => {
    expect(() => assertJsonTextNesting('{"a":[{"b":[1]}]}', { field: "body", limit: 4 })).not.toThrow();
    expect(() => assertJsonTextNesting('{"a":[{"b":[[1]]}]}', { field: "body", limit: 4 })).toThrow(/more than 4/);
    const text = `{"title":"${"[{".repeat(100)}","quote":"a \\" [[[[ \\\\","ok":[1]}`;
    expect(() => assertJsonTextNesting(text, { field: "body", limit: 2 })).not.toThrow();
  });

  it("scans a body 100,000 levels deep without overflowing the stack", () => {
    expect(() => assertJsonTextNesting(nested(100_000), { field: "body" })).toThrow(/more than 32 levels/);
  });
});

describe("assertValueNesting", () => {
  it(`accepts a parsed value ${MAX_JSON_NESTING} levels deep and refuses one more`, () => {
    expect(() => assertValueNesting(JSON.parse(nested(MAX_JSON_NESTING)), { field: "mapping" })).not.toThrow();
    expect(() => assertValueNesting({ a: JSON.parse(nested(MAX_JSON_NESTING)) }, { field: "mapping" })).toThrow(
      `mapping nests arrays and objects more than ${MAX_JSON_NESTING} levels deep`,
    );
    expect(() => assertValueNesting("text", { field: "mapping", limit: 0 })).not.toThrow();
  });
});
