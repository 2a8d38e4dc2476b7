import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { itemSize } from "../../../lambdas/adapters/dynamodb/item-size.ts";
import { COMPRESSED_ATTRIBUTES, fromItem, toItem } from "../../../lambdas/adapters/dynamodb/record-item.ts";
import {
  RECORDS_TABLE,
  recordKeyOf,
  recordTableKey,
  VENDOR_SHARDS,
  vendorShard,
} from "../../../lambdas/adapters/dynamodb/table-design.ts";
import { dataMap } from "../../../lambdas/core/data-keys.ts";
import type { EntityType } from "../../../lambdas/core/model.ts";
import { recordContentHash, type SyncRecord } from "../../../lambdas/core/record.ts";

const entityType = fc.constantFrom<EntityType>("product", "price", "inventory", "order");
const key = fc.record({
  vendorId: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
  entityType,
  entityKey: fc.string({ minLength: 1, maxLength: 40 }),
});
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  // Product copy: long, repetitive HTML, as vendors send it.
  fc
    .array(fc.constantFrom("<p>", "</p>", "Organic cotton ", "&bull; ", "Breathable stretch ", "yoga ", "short "), {
      maxLength: 200,
    })
    .map((parts) => parts.join("")),
);
const attributes = fc
  .array(
    fc.tuple(
      fc.constantFrom("title", "description", "__proto__", "constructor", "~x", "tags", "amount"),
      fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 }), fc.constant(null)),
    ),
    { maxLength: 6 },
  )
  .map((entries) => dataMap(entries));

function record(k: { vendorId: string; entityType: EntityType; entityKey: string }, attrs: object): SyncRecord {
  return {
    ...k,
    version: 3,
    revision: 4,
    sourceTs: 1_800_000_000_000,
    source: "vendor:file",
    lastEventId: "h-340a16cce6f9ba3e09856e335705ede2",
    lastJobId: "01M92JJERNN3VXZEEX4AVX2Y1R",
    contentHash: recordContentHash(attrs as never, false),
    attributes: attrs as never,
    deleted: false,
    createdAt: 1_800_000_000_001,
    updatedAt: 1_800_000_000_002,
  };
}

/** Own keys at every depth, in order (a `__proto__` lost on the way would change it). */
const shape = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(shape)
    : value !== null && typeof value === "object"
      ? Object.keys(value).map((k) => [k, shape((value as Record<string, unknown>)[k])])
      : value;

describe("records-table keys", () => {
  it("round-trip every record key, entity keys with # included, and spread a vendor over its shards", () => {
    fc.assert(
      fc.property(key, (k) => {
        const { pk, sk } = recordTableKey(k);
        expect(pk).toBe(`${k.vendorId}#${vendorShard(k.entityKey)}`);
        expect(sk).toBe(`${k.entityType}#${k.entityKey}`);
        expect(recordKeyOf(pk, sk)).toEqual(k);
      }),
    );
    const shards = new Set(Array.from({ length: 2000 }, (_, i) => vendorShard(`SKU-${i}`)));
    expect(shards.size).toBe(VENDOR_SHARDS);
  });

  it("refuses keys of another layout", () => {
    expect(() => recordKeyOf("magento-luma#product#SKU-1", "")).toThrow(RangeError);
  });
});

describe("toItem / fromItem", () => {
  it("round-trip every record, compressed or not, vendor map keys included", () => {
    fc.assert(
      fc.property(key, attributes, (k, attrs) => {
        const original = record(k, attrs);
        const item = toItem(original);
        expect(shape(fromItem(item))).toEqual(shape(original));
        // The key's fields are stored once, in the key.
        expect(Object.keys(item)).not.toContain("vendorId");
        expect(Object.keys(item)).not.toContain("entityKey");
      }),
    );
  });

  it("compresses the attributes of an item over 1 KB, and only then", () => {
    const small = toItem(record({ vendorId: "v", entityType: "price", entityKey: "K" }, { amount: 1990 }));
    expect(small.attributes?.M).toBeDefined();
    expect(small[COMPRESSED_ATTRIBUTES]).toBeUndefined();

    // A Luma product: a 1.4 KB item with its HTML description.
    const description =
      '<p>What more do you need than a sporty yoga short made with organic cotton and a little spandex for mobility? The Hawkeye Yoga Short brings a stylish, standard fit you can sport with confidence outside the studio.</p>\n<p>&bull; Dark gray shorts with red accents.<br />&bull; 92% Organic Cotton 8% Spandex.<br />&bull; Breathable stretch organic cotton.<br />&bull; Medium=8.0" (21.0cm) inseam.</p>'.repeat(
        2,
      );
    const product = record(
      { vendorId: "magento-luma", entityType: "product", entityKey: "MSH05-33-Gray" },
      { title: "Hawkeye Yoga Short-33-Gray", description, categories: ["Default Category/Men/Bottoms/Shorts"] },
    );
    const plainBytes = itemSize({ ...toItem({ ...product, attributes: {} }), attributes: { S: description } }).bytes;
    expect(plainBytes).toBeGreaterThan(1024);
    const item = toItem(product);
    expect(item.attributes).toBeUndefined();
    expect(item[COMPRESSED_ATTRIBUTES]?.B).toBeInstanceOf(Uint8Array);
    expect(itemSize(item).bytes).toBeLessThanOrEqual(1024);
    expect(fromItem(item)).toEqual(product);
    expect(item[RECORDS_TABLE.partitionKey]?.S).toBe(`magento-luma#${vendorShard("MSH05-33-Gray")}`);
  });
});
