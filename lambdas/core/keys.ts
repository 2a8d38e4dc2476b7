import { ValidationError } from "./errors.ts";

/** Zero-width and other invisible code points that vendors leave in keys (ZWSP, ZWNJ, ZWJ, WJ, BOM, soft hyphen). */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00AD]/g;
/** Leading/trailing whitespace including NBSP and the Unicode line/paragraph separators. */
const EDGE_SPACE = /^[\s\u00A0\u2028\u2029]+|[\s\u00A0\u2028\u2029]+$/g;

/** A UTF-16 surrogate without its pair: the text cannot be encoded as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Longest entity key accepted, in UTF-8 bytes (the partition key also holds vendor id and type; DynamoDB allows 2048). */
export const MAX_ENTITY_KEY_BYTES = 1024;

/**
 * Normalises an entity key: Unicode NFC, invisible characters removed, trimmed. Case is kept, because
 * vendors differ on whether `Woo-tshirt` and `woo-tshirt` are the same item.
 *
 * @param raw - the key as the vendor sent it (numbers are accepted and kept digit for digit).
 * @param field - the field named in errors.
 * @throws {ValidationError} when the key is missing, holds a lone surrogate (not Unicode text), is
 *   empty after normalising, or is longer than {@link MAX_ENTITY_KEY_BYTES}.
 */
export function normalizeKey(raw: unknown, field = "entityKey"): string {
  if (typeof raw === "number" && Number.isSafeInteger(raw)) return String(raw);
  if (typeof raw === "bigint") return raw.toString();
  if (typeof raw !== "string") {
    throw new ValidationError(raw === undefined || raw === null ? "missing key" : "key must be a string", {
      field,
      value: raw,
    });
  }
  const lone = LONE_SURROGATE.exec(raw);
  if (lone) {
    // Not Unicode text: stored, it would read back as U+FFFD or differently per SDK.
    const code = (lone[0].codePointAt(0) as number).toString(16).toUpperCase();
    throw new ValidationError(
      `${field} holds a lone surrogate (U+${code}) at character ${lone.index + 1}: not valid Unicode`,
      {
        field,
        value: raw,
      },
    );
  }
  const key = raw.normalize("NFC").replace(INVISIBLE, "").replace(EDGE_SPACE, "");
  if (key === "") throw new ValidationError("key is empty", { field, value: raw });
  if (Buffer.byteLength(key, "utf8") > MAX_ENTITY_KEY_BYTES) {
    throw new ValidationError(`key is longer than ${MAX_ENTITY_KEY_BYTES} bytes`, { field, value: raw });
  }
  return key;
}
