import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** DynamoDB's maximum item size, in bytes (names and values, UTF-8). */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** Size of a number attribute: about one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text.replace(/^-/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/**
 * Size of one attribute value as DynamoDB counts it.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, item) => sum + 1 + attributeValueSize(item), 0);
  if (value.M !== undefined) {
    return (
      3 + Object.entries(value.M).reduce((sum, [name, item]) => sum + 1 + utf8(name) + attributeValueSize(item), 0)
    );
  }
  return 0;
}

/**
 * Size of a marshalled item in bytes: attribute names plus values, as DynamoDB bills and limits it.
 * @returns the size and the largest top-level attribute (named in "too large" errors).
 */
export function itemSize(item: Record<string, AttributeValue>): { bytes: number; largest: string | undefined } {
  let bytes = 0;
  let largest: string | undefined;
  let largestBytes = -1;
  for (const [name, value] of Object.entries(item)) {
    const size = utf8(name) + attributeValueSize(value);
    bytes += size;
    if (size > largestBytes) {
      largestBytes = size;
      largest = name;
    }
  }
  return { bytes, largest };
}
