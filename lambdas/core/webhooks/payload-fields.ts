import * as v from "valibot";
import { currencyExponent } from "../currencies.ts";
import { ValidationError } from "../errors.ts";
import { parseTimestamp } from "../timestamps.ts";

/**
 * A platform id as sent (safe integer, 64-bit integer parsed as `bigint`, or text), as text with
 * every digit kept.
 */
export const IdSchema = v.pipe(
  v.union([
    v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
    v.pipe(
      v.bigint(),
      v.check((n) => n >= 0n, "must not be negative"),
    ),
    v.pipe(v.string(), v.trim(), v.nonEmpty()),
  ]),
  v.transform((id) => String(id)),
);

/** A decimal amount as text (`"54.00"`, `"18"`), never a float. */
export const DecimalTextSchema = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^-?\d+(?:\.\d+)?$/, "must be a decimal amount as text"),
);

/** A whole number that fits a JavaScript number exactly. */
export const SafeIntegerSchema = v.pipe(v.number(), v.safeInteger());

/**
 * Validates a payload part with a valibot schema.
 *
 * @param prefix - dotted path of `input` in the payload, prepended to field names in errors.
 * @throws {ValidationError} naming the first offending field (`"variants.1.price"`).
 */
export function parseShape<TSchema extends v.GenericSchema>(
  schema: TSchema,
  input: unknown,
  prefix = "",
): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const field = [prefix, path].filter(Boolean).join(".") || "body";
  throw new ValidationError(`${field}: ${issue.message}`, { field, value: issue.input });
}

/**
 * An ISO 8601 time with `Z` or an offset, or a naive one that the platform documents as UTC
 * (WooCommerce `*_gmt` fields), as UTC epoch ms.
 *
 * @throws {ValidationError} naming `field`.
 */
export function utcMillis(text: string, field: string): number {
  return parseTimestamp(text, { field, timeZone: "UTC" });
}

/** Unix seconds (BigCommerce `created_at`, Stripe `created`) as epoch ms. */
export function unixSecondsToMillis(seconds: number, field: string): number {
  return parseTimestamp(seconds, { field, unit: "s" });
}

/**
 * Turns an integer amount in `fractionDigits` decimal places (commercetools `centAmount` /
 * `preciseAmount`) into decimal text with exactly the currency's minor-unit digits (`3199`, 2, EUR →
 * `"31.99"`; `5400`, 0, JPY → `"5400"`), using integer arithmetic only.
 *
 * @throws {ValidationError} naming `field` when the currency is unknown, or when the amount has
 *   non-zero digits beyond the currency's minor unit (`3198765` at 5 digits in EUR): that would need
 *   rounding, which this system refuses.
 */
export function scaledAmountToText(
  amount: bigint,
  fractionDigits: number,
  currency: string,
  fields: { amount: string; currency: string },
): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    throw new ValidationError(`${fields.currency}: unknown currency code ${JSON.stringify(currency)}`, {
      field: fields.currency,
      value: currency,
    });
  }
  const negative = amount < 0n;
  let digits = (negative ? -amount : amount).toString();
  if (fractionDigits > exponent) {
    const dropped = fractionDigits - exponent;
    const tail = digits.padStart(dropped, "0").slice(-dropped);
    if (/[^0]/.test(tail)) {
      throw new ValidationError(
        `${fields.amount}: ${amount} with ${fractionDigits} fraction digits cannot be held in ${currency} minor units (${exponent} digits) without rounding`,
        { field: fields.amount, value: amount.toString() },
      );
    }
    digits = digits.length > dropped ? digits.slice(0, -dropped) : "0";
  } else {
    digits = `${digits}${"0".repeat(exponent - fractionDigits)}`;
  }
  digits = digits.padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? "" : `.${digits.slice(-exponent)}`;
  return `${negative ? "-" : ""}${whole}${fraction}`;
}
