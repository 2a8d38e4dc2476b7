/**
 * A record as a records-table item and back: the one mapping the record store, the stream consumer
 * (publish-changes) and the benchmarks share. No DynamoDB client here (the stream consumer bundles
 * it without one).
 *
 * The item holds the table key (`pk`, `sk`: `table-design.ts`) and the record without the three
 * fields the key already carries (`vendorId`, `entityType`, `entityKey`). When the item would bill
 * more than one write unit (over 1 KB), its `attributes` are stored Brotli-compressed as the binary
 * attribute `attributesBr` instead of a map, if that is smaller: descriptions and other text compress
 * 2–4 times, so a product with a long HTML description still writes at 1 WCU.
 *
 * @see ../../../docs/data-model.md
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-use-s3-too.html (compressing large attribute values)
 */
import { brotliCompressSync, brotliDecompressSync, constants } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { SyncRecord } from "../../core/record.ts";
import { itemSize } from "./item-size.ts";
import { escapeMapKeys, unescapeMapKeys } from "./map-keys.ts";
import { RECORDS_TABLE, recordKeyOf, recordTableKey } from "./table-design.ts";

/** Bytes one write request unit covers: items above it are worth compressing. */
export const WRITE_UNIT_BYTES = 1024;

/** The binary attribute that holds compressed `attributes` (JSON, Brotli). */
export const COMPRESSED_ATTRIBUTES = "attributesBr";

/** Brotli settings: text mode, quality 5 (of 11): most of the size gain at a fraction of the CPU. */
const BROTLI = {
  params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 5 },
};

const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;

/** A record's marshalled item with its size as DynamoDB bills and limits it ({@link itemSize}). */
export interface SizedItem {
  readonly item: Record<string, AttributeValue>;
  /** Bytes: attribute names plus values. */
  readonly bytes: number;
  /** The largest top-level attribute (named in "too large" errors). */
  readonly largest: string | undefined;
}

/**
 * @returns the marshalled item of a record: its table key, the record without the key's fields, and
 *   `attributes` compressed when that brings an item over 1 KB down in size. Vendor map keys the SDK
 *   cannot carry (`__proto__`, `constructor`) are stored escaped (map-keys.ts).
 */
export function toItem(record: SyncRecord): Record<string, AttributeValue> {
  return toSizedItem(record).item;
}

/**
 * {@link toItem} with the item's size, measured while deciding whether to compress (the record store
 * checks the 400 KB limit with it instead of measuring the item again).
 */
export function toSizedItem(record: SyncRecord): SizedItem {
  const { vendorId: _vendor, entityType: _type, entityKey: _key, ...rest } = escapeMapKeys(record) as SyncRecord;
  const item = marshall({ ...recordTableKey(record), ...rest }, MARSHALL);
  const plain = itemSize(item);
  if (plain.bytes <= WRITE_UNIT_BYTES || !item.attributes) return { item, ...plain };
  const compressed = brotliCompressSync(JSON.stringify(rest.attributes), BROTLI);
  const attributesBytes = itemSize({ attributes: item.attributes }).bytes;
  if (COMPRESSED_ATTRIBUTES.length + compressed.byteLength >= attributesBytes) return { item, ...plain };
  const { attributes: _attributes, ...others } = item;
  const smaller = { ...others, [COMPRESSED_ATTRIBUTES]: { B: compressed } };
  return { item: smaller, ...itemSize(smaller) };
}

/**
 * @returns the record an item holds (keys turned back into `vendorId`, `entityType`, `entityKey`,
 *   compressed attributes expanded, escaped map keys restored).
 * @throws {RangeError} when the item's keys are not of the records table's design.
 */
export function fromItem(item: Record<string, AttributeValue>): SyncRecord {
  const {
    [RECORDS_TABLE.partitionKey]: pk,
    [RECORDS_TABLE.sortKey]: sk,
    [COMPRESSED_ATTRIBUTES]: compressed,
    ...rest
  } = unmarshall(item);
  const record: Record<string, unknown> = { ...recordKeyOf(String(pk), String(sk)), ...rest };
  if (compressed instanceof Uint8Array) {
    record.attributes = JSON.parse(brotliDecompressSync(compressed).toString("utf8"));
  }
  return unescapeMapKeys(record) as unknown as SyncRecord;
}
