import * as v from "valibot";
import type { ChangeInput } from "../change-input.ts";
import { currencyExponent } from "../currencies.ts";
import { ValidationError } from "../errors.ts";
import { parseTimestamp } from "../timestamps.ts";

/** What the pull mappers need besides the records. */
export interface PullMapContext {
  /** The vendor's currency (ISO 4217) for platforms whose prices carry none; sets decimal places of float prices. */
  readonly currency: string;
  /** Locale of localised values (Akeneo names and descriptions). @default "en_US" */
  readonly locale?: string;
  /** IANA zone for vendor times without an offset. @default "UTC" */
  readonly timeZone?: string;
}

/** A record (or part of one) that could not become a change, kept with its reason. */
export interface PullReject {
  /** 0-based position of the record in the page. */
  readonly index: number;
  readonly reason: string;
  readonly field?: string;
  /** The entity key, when one could be read. */
  readonly entityKey?: string;
}

/** What a mapper makes of one page of records. */
export interface PullMapResult {
  readonly changes: ChangeInput[];
  readonly rejects: PullReject[];
}

/** Turns one page of vendor API records into canonical change inputs (`source: "vendor:pull"`). Pure. */
export type PullMapper = (records: readonly unknown[], ctx: PullMapContext) => PullMapResult;

/** The channel every pulled change comes through. */
export const PULL_SOURCE = "vendor:pull" as const;

/**
 * Runs a per-record mapping, turning a {@link ValidationError} into a reject for that record so one
 * bad record never fails the page. Other errors (bugs) propagate.
 */
export function mapEach(
  records: readonly unknown[],
  map: (record: unknown, index: number, reject: (reject: Omit<PullReject, "index">) => void) => ChangeInput[],
): PullMapResult {
  const changes: ChangeInput[] = [];
  const rejects: PullReject[] = [];
  records.forEach((record, index) => {
    try {
      changes.push(...map(record, index, (reject) => rejects.push({ index, ...reject })));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      rejects.push({
        index,
        reason: error.message,
        ...(error.field === undefined ? {} : { field: error.field }),
        ...(typeof error.value === "string" && error.field === "entityKey" ? { entityKey: error.value } : {}),
      });
    }
  });
  return { changes, rejects };
}

/**
 * Validates a record against a valibot schema.
 * @throws {ValidationError} naming the first invalid field (dotted path).
 */
export function parseRecord<const S extends v.GenericSchema>(
  schema: S,
  record: unknown,
  what: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, record);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = issue ? (v.getDotPath(issue) ?? undefined) : undefined;
  throw new ValidationError(`${what}${field ? `.${field}` : ""}: ${issue?.message ?? "invalid"}`, {
    field,
    value: issue?.input,
  });
}

/**
 * A JSON number price as exact decimal text with at least the currency's decimal places
 * (`34` USD → `"34.00"`, `19.9` → `"19.90"`, `1500` JPY → `"1500"`). Text is returned trimmed, as is.
 * Numbers whose shortest decimal form has more than 15 significant digits (`0.1 + 0.2`) or an exponent
 * are refused instead of rounded.
 *
 * @throws {ValidationError} for such numbers, non-finite numbers or an unknown currency.
 */
export function decimalText(value: number | string, currency: string, field = "price"): string {
  if (typeof value === "string") return value.trim();
  const exponent = currencyExponent(currency.trim().toUpperCase());
  if (exponent === undefined) {
    throw new ValidationError(`unknown currency code ${JSON.stringify(currency)}`, {
      field: "currency",
      value: currency,
    });
  }
  const text = Number.isFinite(value) ? String(value) : "";
  const digits = text.replace(/^-/, "").replace(".", "").replace(/^0+/, "");
  if (text === "" || /e/i.test(text) || digits.length > 15) {
    throw new ValidationError(`${field}: ${value} is not an exact decimal amount; refusing to round`, { field, value });
  }
  const [whole = "0", fraction = ""] = text.split(".");
  return exponent === 0 && fraction === "" ? whole : `${whole}.${fraction.padEnd(exponent, "0")}`;
}

/**
 * A vendor time as UTC epoch ms.
 * @throws {ValidationError} naming `field` for anything that is not an ISO 8601 time.
 */
export function epochMs(value: unknown, field: string, timeZone = "UTC"): number {
  return parseTimestamp(value, { field, timeZone });
}

/** @returns trimmed text, or `undefined` for null, undefined or blank. */
export function nonBlank(value: string | null | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

/** Record schema piece: a JSON string. */
export const Text = v.string();
/** Record schema piece: a string, `null` or absent. */
export const NullableText = v.nullish(v.string());
/** Record schema piece: a vendor id, a safe integer or non-empty text (the connector keeps ids > 2^53 as text). */
export const Id = v.union([v.pipe(v.number(), v.safeInteger()), v.pipe(v.string(), v.minLength(1))]);
