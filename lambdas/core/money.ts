import { currencyExponent } from "./currencies.ts";
import { ValidationError } from "./errors.ts";

/** How a vendor writes decimal numbers. `"."` is the default; some European feeds use `","`. */
export type DecimalSeparator = "." | ",";

/** An amount of money as integer minor units plus its ISO 4217 currency. */
export interface Money {
  /** Integer minor units (cents for USD, yen for JPY, fils for KWD). */
  readonly amount: number;
  /** ISO 4217 alphabetic code, upper case. */
  readonly currency: string;
}

export interface ParseMoneyOptions {
  /**
   * The vendor's decimal separator.
   * @default "."
   */
  readonly decimalSeparator?: DecimalSeparator;
  /** The field the text came from, named in errors (`"attributes.amount"`). */
  readonly field?: string;
}

/**
 * Parses a decimal amount from its source text into integer minor units, without floating point.
 *
 * `"19.90"` USD → 1990; `"1500"` JPY → 1500; `"1.5"` KWD → 1500; `"-3"` USD → -300.
 * A thousands separator is never accepted (it is ambiguous across locales), and more fraction digits
 * than the currency has are an error rather than a silent rounding.
 *
 * @param text - the amount as the vendor wrote it; surrounding whitespace is ignored.
 * @param currency - ISO 4217 code (case-insensitive).
 * @throws {ValidationError} for an unknown currency, text that is not a plain decimal number (for
 *   example `"1,5"` when the vendor's separator is `"."`), too many fraction digits, or an amount beyond
 *   ±2^53 minor units.
 * @see https://www.iso.org/iso-4217-currency-codes.html
 */
export function parseMoney(text: string, currency: string, options: ParseMoneyOptions = {}): Money {
  const field = options.field ?? "amount";
  const code = currency.trim().toUpperCase();
  const exponent = currencyExponent(code);
  if (exponent === undefined) {
    throw new ValidationError(`unknown currency code ${JSON.stringify(currency)}`, {
      field: field.replace(/amount$/i, "currency"),
      value: currency,
    });
  }
  const separator = options.decimalSeparator ?? ".";
  const trimmed = text.trim();
  const pattern = separator === "." ? /^([+-]?)(\d+)(?:\.(\d*))?$/ : /^([+-]?)(\d+)(?:,(\d*))?$/;
  const match = pattern.exec(trimmed);
  if (!match) {
    const hint =
      separator === "." && /^[+-]?\d+,\d+$/.test(trimmed)
        ? ' (a decimal comma; declare decimalSeparator "," for this vendor if that is its format)'
        : "";
    throw new ValidationError(`not a decimal amount: ${JSON.stringify(text)}${hint}`, { field, value: text });
  }
  const [, sign = "", whole = "", fraction = ""] = match;
  const significant = fraction.replace(/0+$/, "");
  if (significant.length > exponent) {
    throw new ValidationError(
      `${JSON.stringify(text)} has more decimal places than ${code} allows (${exponent}); refusing to round`,
      { field, value: text },
    );
  }
  const digits = `${whole}${fraction.padEnd(exponent, "0").slice(0, exponent)}`.replace(/^0+(?=\d)/, "");
  const minor = BigInt(digits) * (sign === "-" ? -1n : 1n);
  if (minor > BigInt(Number.MAX_SAFE_INTEGER) || minor < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(`amount ${JSON.stringify(text)} is too large`, { field, value: text });
  }
  return { amount: Number(minor), currency: code };
}

/**
 * Parses a money amount given as a JSON number. Accepted only when the number's shortest decimal
 * form is exact (at most 15 significant digits), so `19.9` becomes 1990 cents and nothing is rounded.
 *
 * @throws {ValidationError} as {@link parseMoney}, or for a non-finite number.
 */
export function parseMoneyNumber(value: number, currency: string, options: ParseMoneyOptions = {}): Money {
  if (!Number.isFinite(value)) {
    throw new ValidationError(`not a finite amount: ${value}`, { field: options.field ?? "amount", value });
  }
  const text = Math.abs(value) < 1e21 ? value.toString() : "";
  if (/e/i.test(text) || text === "" || text.replace(/[-.]/g, "").replace(/^0+/, "").length > 15) {
    throw new ValidationError(`amount ${value} cannot be represented exactly; send it as a string`, {
      field: options.field ?? "amount",
      value,
    });
  }
  return parseMoney(text, currency, { field: options.field ?? "amount" });
}

/** Formats minor units back to a decimal string (`1990`, `"USD"` → `"19.90"`), for display only. */
export function formatMoney(money: Money): string {
  const exponent = currencyExponent(money.currency) ?? 2;
  const negative = money.amount < 0;
  const digits = Math.abs(money.amount)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const fraction = exponent === 0 ? "" : `.${digits.slice(-exponent)}`;
  return `${negative ? "-" : ""}${whole}${fraction} ${money.currency}`;
}
