import { isInteger, isSafeNumber, LosslessNumber, parse } from "lossless-json";
import { ValidationError } from "../errors.ts";
import { assertJsonTextNesting, MAX_JSON_NESTING } from "../json-nesting.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON numbers the way {@link parseJsonBody} hands them over: a `number` when it is exact in
 * IEEE 754, a `bigint` for integers beyond 2^53 (64-bit platform ids), a `LosslessNumber` holding
 * the original digits for a decimal that a `number` would round.
 */
export type JsonNumber = number | bigint | LosslessNumber;

function parseNumber(text: string): JsonNumber {
  if (isSafeNumber(text)) return Number(text);
  return isInteger(text) ? BigInt(text) : new LosslessNumber(text);
}

/**
 * Parses a webhook body without losing any digit: `JSON.parse` rounds ids above 2^53
 * (`5629499534213120017` → `5629499534213120000`), this does not. Duplicate keys are an error rather
 * than "last one wins", so two readers can never see different values in one signed body.
 *
 * Call it only after the signature was verified on the same bytes.
 *
 * @param body - the raw body bytes (UTF-8).
 * @returns the parsed value; numbers as {@link JsonNumber}.
 * @throws {ValidationError} (field `body`) when the bytes are not UTF-8 or not JSON, or nest deeper
 *   than {@link MAX_JSON_NESTING} levels (checked before parsing, so the parser never overflows).
 * @see https://github.com/josdejong/lossless-json
 */
export function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch (error) {
    throw new ValidationError("body is not valid UTF-8", { field: "body", cause: error });
  }
  assertJsonTextNesting(text, { field: "body" });
  try {
    return parse(text, null, parseNumber);
  } catch (error) {
    throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`, { field: "body", cause: error });
  }
}
