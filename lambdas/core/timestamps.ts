import { TZDate } from "@date-fns/tz";
import * as v from "valibot";
import { ValidationError } from "./errors.ts";

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/** Earliest and latest times accepted as a vendor event time (guards against seconds-vs-ms mix-ups). */
const MIN_TS = Date.UTC(1990, 0, 1);
const MAX_TS = Date.UTC(2200, 0, 1);

export interface ParseTimestampOptions {
  /** IANA zone for timestamps without an offset. @default "UTC" */
  readonly timeZone?: string;
  /** Unit of numeric timestamps. @default "ms" */
  readonly unit?: "s" | "ms";
  /** The field named in errors. @default "sourceTs" */
  readonly field?: string;
}

/**
 * Refuses a date that does not exist (`2026-02-30`, `2026-11-31`, month 13), which `Date.parse` and
 * `TZDate` would otherwise roll over into the next month.
 */
function checkCalendarDate(text: string, value: unknown, field: string): void {
  const date = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!date) return;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (day < 1 || day > daysInMonth) {
    throw new ValidationError(`no such date: ${JSON.stringify(value)}`, { field, value });
  }
}

/**
 * Parses a vendor event time to UTC epoch milliseconds.
 *
 * Accepts ISO 8601 with `Z` or an offset (`2026-11-01T10:00:00-05:00`), ISO 8601 without an offset
 * (read in `timeZone`, DST gaps resolved forward), and numbers in `unit`.
 *
 * @throws {ValidationError} for anything else, a date that does not exist (`2026-02-30`), or a time
 *   outside 1990–2200 (usually a unit mix-up).
 */
export function parseTimestamp(value: unknown, options: ParseTimestampOptions = {}): number {
  const field = options.field ?? "sourceTs";
  let ms: number;
  if (typeof value === "number") {
    ms = options.unit === "s" ? value * 1000 : value;
    if (!Number.isFinite(ms)) throw new ValidationError("timestamp is not a finite number", { field, value });
    ms = Math.trunc(ms);
  } else if (typeof value === "string") {
    const text = value.trim();
    checkCalendarDate(text, value, field);
    if (ISO_WITH_ZONE.test(text)) {
      ms = Date.parse(text.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
    } else {
      const naive = ISO_NAIVE.exec(text);
      if (!naive) throw new ValidationError(`not an ISO 8601 time: ${JSON.stringify(value)}`, { field, value });
      const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "0"] = naive;
      const millis = Number(frac.padEnd(3, "0").slice(0, 3));
      ms = new TZDate(
        Number(y),
        Number(mo) - 1,
        Number(d),
        Number(h),
        Number(mi),
        Number(s),
        millis,
        options.timeZone ?? "UTC",
      ).getTime();
    }
  } else {
    throw new ValidationError(value === undefined ? "missing timestamp" : "timestamp must be a string or number", {
      field,
      value,
    });
  }
  if (Number.isNaN(ms)) throw new ValidationError(`not a valid time: ${JSON.stringify(value)}`, { field, value });
  if (ms < MIN_TS || ms > MAX_TS) {
    const shown = Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(value);
    throw new ValidationError(`time ${shown} is outside 1990–2200 (wrong unit?)`, {
      field,
      value,
    });
  }
  return ms;
}

/** @returns whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name in a configuration, refused with the name when unknown. */
export const TimeZoneSchema = v.pipe(
  v.string(),
  v.check(isTimeZone, (issue) => `unknown IANA time zone ${JSON.stringify(issue.input)}`),
);
