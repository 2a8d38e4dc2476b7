import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../lambdas/core/errors.ts";
import {
  JsonPathError,
  jsonPathIssue,
  parseJsonPath,
  selectAll,
  selectOne,
  selectRecords,
} from "../../../../lambdas/core/pull/json-path.ts";

const body = {
  data: {
    products: { pageInfo: { endCursor: "c2" }, edges: [{ node: { id: 1 } }, { node: { id: 2 } }, { cursor: "x" }] },
  },
  _links: { next: { href: "/next" } },
  products: [{ handle: "a" }],
  "date_modified:min": "2025",
};

describe("JSON paths", () => {
  it.each([
    ["products", [[{ handle: "a" }]]],
    ["data.products.pageInfo.endCursor", ["c2"]],
    ["data.products.edges[*].node", [{ id: 1 }, { id: 2 }]],
    ["data.products.edges[1].node.id", [2]],
    ["$.products[0].handle", ["a"]],
    ["_links.next.href", ["/next"]],
    ["date_modified:min", ["2025"]],
    ["data.missing.deeper", []],
    ["products[5]", []],
  ])("%s", (path, expected) => {
    expect(selectAll(body, path)).toEqual(expected);
  });

  it("treats $ and the empty path as the body itself", () => {
    expect(selectRecords([1, 2], "$")).toEqual([1, 2]);
    expect(selectOne(body, "")).toBe(body);
  });

  it("takes records from the array a plain path reaches, or from what [*] reaches", () => {
    expect(selectRecords(body, "products")).toEqual([{ handle: "a" }]);
    expect(selectRecords({ data: { products: { edges: [] } } }, "data.products.edges[*].node")).toEqual([]);
  });

  it("fails when a plain records path reaches no array", () => {
    expect(() => selectRecords(body, "data.products")).toThrow(ValidationError);
    expect(() => selectRecords({}, "products")).toThrow(/records path products matched nothing/);
  });

  it.each(["a..b", "a[x]", "a.b()", "a[?(@.x)]", "..a", "a[*"])("fails for %s", (path) => {
    expect(() => parseJsonPath(path)).toThrow(JsonPathError);
    expect(jsonPathIssue(path)).toMatch(/path .* is not name, name\[\*\] or name\[n\]/);
  });
});
