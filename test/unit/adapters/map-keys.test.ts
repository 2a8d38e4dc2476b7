import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeMapKeys, unescapeMapKeys } from "../../../lambdas/adapters/dynamodb/map-keys.ts";
import { dataMap } from "../../../lambdas/core/data-keys.ts";

const vendorKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "~", "~x", "~~x", "~__proto__", "size"),
  fc.string({ maxLength: 6 }),
);
const vendorMap = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 5 }),
    fc.integer(),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.array(fc.tuple(vendorKey, tie("value")), { maxLength: 4 }).map((entries) => dataMap(entries)),
  ),
})).value;

/** Own keys at every depth, in order: what a `__proto__` lost on the way would change. */
const shape = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(shape)
    : value !== null && typeof value === "object"
      ? Object.keys(value).map((key) => [key, shape((value as Record<string, unknown>)[key])])
      : value;

describe("escapeMapKeys / unescapeMapKeys", () => {
  it("round-trips every map key through DynamoDB marshalling, __proto__ and constructor included", () => {
    fc.assert(
      fc.property(vendorMap, (value) => {
        const item = marshall({ value: escapeMapKeys(value) });
        expect(shape(unescapeMapKeys(unmarshall(item).value))).toEqual(shape(value));
      }),
    );
  });

  it("stores the keys the SDK cannot carry with a ~ in front, and leaves other maps as they are", () => {
    const attributes = dataMap<unknown>([
      ["__proto__", "p"],
      ["constructor", "c"],
      ["~tilde", "t"],
      ["size", "XS"],
    ]);
    expect(Object.keys(escapeMapKeys(attributes) as object)).toEqual(["~__proto__", "~constructor", "~~tilde", "size"]);
    const plain = { title: "Bag", extra: { material: "cotton" } };
    expect(escapeMapKeys(plain)).toBe(plain);
  });
});
