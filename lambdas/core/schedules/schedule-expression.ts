import { Cron } from "croner";
import { ValidationError } from "../errors.ts";

/**
 * The grammar of EventBridge Scheduler expressions (`cron(…)` and `rate(…)`): parsed and checked as
 * EventBridge does (which croner is more lenient than), cron fields translated to croner's 7-part
 * pattern. Fire times are eventbridge-schedule.ts's.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */

/** One part of an expression that is wrong, named in {@link ScheduleExpressionError}. */
export type ScheduleExpressionPart =
  | "expression"
  | "minutes"
  | "hours"
  | "day-of-month"
  | "month"
  | "day-of-week"
  | "year"
  | "rate"
  | "time-zone";

/** An invalid schedule expression or time zone. Never retried: the configuration must change. */
export class ScheduleExpressionError extends ValidationError {
  /** The expression as given. */
  readonly expression: string;
  /** The field of the expression that is wrong. */
  readonly part: ScheduleExpressionPart;

  constructor(expression: string, part: ScheduleExpressionPart, message: string, cause?: unknown) {
    super(`${JSON.stringify(expression)}: ${message}`, { field: "schedule.expression", value: expression, cause });
    this.name = "ScheduleExpressionError";
    this.expression = expression;
    this.part = part;
  }
}

/** A parsed `cron(…)` expression. */
export interface CronSchedule {
  readonly kind: "cron";
  readonly expression: string;
  /** The six fields as written (upper-cased). */
  readonly fields: {
    readonly minutes: string;
    readonly hours: string;
    readonly dayOfMonth: string;
    readonly month: string;
    readonly dayOfWeek: string;
    readonly year: string;
  };
  /** Minutes (0–59) the expression fires at; used to recognise times moved by a DST gap. */
  readonly minutes: ReadonlySet<number>;
  /** Hours (0–23) the expression fires at. */
  readonly hours: ReadonlySet<number>;
  /** The 7-part croner pattern (`sec min hour dom month dow year`, Quartz weekday numbering). */
  readonly cronerPattern: string;
}

/** A parsed `rate(…)` expression. Days are 24-hour durations, as EventBridge Scheduler counts them. */
export interface RateSchedule {
  readonly kind: "rate";
  readonly expression: string;
  readonly value: number;
  readonly unit: "minute" | "hour" | "day";
  /** The interval in ms. */
  readonly intervalMs: number;
}

/** A parsed schedule expression, by kind. */
export type ParsedSchedule = CronSchedule | RateSchedule;

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

interface FieldSpec {
  readonly part: Exclude<ScheduleExpressionPart, "expression" | "rate" | "time-zone">;
  readonly min: number;
  readonly max: number;
  /** Names for values, index 0 = `min`. */
  readonly names?: readonly string[];
  /** Whether `/` increments are allowed (not in day-of-week). */
  readonly step: boolean;
}

const SPECS = {
  minutes: { part: "minutes", min: 0, max: 59, step: true },
  hours: { part: "hours", min: 0, max: 23, step: true },
  dayOfMonth: { part: "day-of-month", min: 1, max: 31, step: true },
  month: { part: "month", min: 1, max: 12, names: MONTHS, step: true },
  dayOfWeek: { part: "day-of-week", min: 1, max: 7, names: WEEKDAYS, step: false },
  year: { part: "year", min: 1970, max: 2199, step: true },
} as const satisfies Record<string, FieldSpec>;

type Fail = (part: ScheduleExpressionPart, message: string) => never;

function value(text: string, spec: FieldSpec, fail: Fail): number {
  const named = spec.names?.indexOf(text) ?? -1;
  if (named >= 0) return spec.min + named;
  if (!/^\d+$/.test(text)) {
    const names = spec.names ? ` or ${spec.names[0]}–${spec.names[spec.names.length - 1]}` : "";
    return fail(spec.part, `${spec.part} value ${JSON.stringify(text)} is not a number${names}`);
  }
  const n = Number(text);
  if (n < spec.min || n > spec.max) {
    fail(spec.part, `${spec.part} value ${n} is outside ${spec.min}–${spec.max}`);
  }
  return n;
}

/**
 * Checks one list item (`*`, `n`, `a-b`, `a/s`, `a-b/s`, `*\/s`) and returns it in croner's syntax
 * (numbers only, `a/s` spelled `a-max/s`) with the values it covers.
 */
function item(text: string, spec: FieldSpec, fail: Fail): { cron: string; values: number[] } {
  const [range = "", step, extra] = text.split("/");
  if (extra !== undefined || range === "") fail(spec.part, `${spec.part} item ${JSON.stringify(text)} is malformed`);
  let stepBy = 1;
  if (step !== undefined) {
    if (!spec.step) fail(spec.part, `${spec.part} does not allow "/" increments`);
    if (!/^\d+$/.test(step) || Number(step) < 1) {
      fail(spec.part, `${spec.part} increment ${JSON.stringify(step)} must be a whole number ≥ 1`);
    }
    stepBy = Number(step);
  }
  let from: number;
  let to: number;
  if (range === "*") {
    from = spec.min;
    to = spec.max;
  } else {
    const bounds = range.split("-");
    if (bounds.length > 2) fail(spec.part, `${spec.part} range ${JSON.stringify(range)} is malformed`);
    from = value(bounds[0] ?? "", spec, fail);
    to = bounds.length === 2 ? value(bounds[1] ?? "", spec, fail) : step === undefined ? from : spec.max;
    if (from > to) {
      fail(
        spec.part,
        `${spec.part} range ${JSON.stringify(range)} runs backwards (wrap-around ranges are not supported)`,
      );
    }
  }
  const values: number[] = [];
  for (let n = from; n <= to; n += stepBy) values.push(n);
  const cronRange = range === "*" ? "*" : from === to && step === undefined ? `${from}` : `${from}-${to}`;
  return { cron: step === undefined ? cronRange : `${cronRange}/${stepBy}`, values };
}

function list(text: string, spec: FieldSpec, fail: Fail): { cron: string; values: Set<number> } {
  const values = new Set<number>();
  const parts = text.split(",").map((part) => {
    const parsed = item(part, spec, fail);
    for (const n of parsed.values) values.add(n);
    return parsed.cron;
  });
  return { cron: parts.join(","), values };
}

function dayOfMonth(text: string, fail: Fail): string {
  if (text === "?") return "*";
  if (text === "L" || text === "LW") return text;
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday) return `${value(weekday[1] ?? "", SPECS.dayOfMonth, fail)}W`;
  if (/[LW]/.test(text)) {
    fail("day-of-month", `day-of-month ${JSON.stringify(text)}: L, LW and nW must stand alone`);
  }
  return list(text, SPECS.dayOfMonth, fail).cron;
}

function dayOfWeek(text: string, fail: Fail): string {
  if (text === "?") return "*";
  // EventBridge's bare `L` is the last day of the week, Saturday; croner has no bare L.
  if (text === "L") return "7";
  const last = /^([A-Z]+|\d+)L$/.exec(text);
  if (last) return `${value(last[1] ?? "", SPECS.dayOfWeek, fail)}L`;
  const nth = /^([A-Z]+|\d+)#(\d+)$/.exec(text);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) fail("day-of-week", `day-of-week ${JSON.stringify(text)}: the occurrence after # must be 1–5`);
    return `${value(nth[1] ?? "", SPECS.dayOfWeek, fail)}#${k}`;
  }
  if (text.includes("#")) {
    fail("day-of-week", `day-of-week ${JSON.stringify(text)}: # allows one expression only (like 3#2)`);
  }
  if (/L/.test(text.replace(/[A-Z]{3}/g, (name) => (WEEKDAYS.includes(name) ? "" : name)))) {
    fail("day-of-week", `day-of-week ${JSON.stringify(text)}: L and nL must stand alone`);
  }
  return list(text, SPECS.dayOfWeek, fail).cron;
}

function parseCron(expression: string, body: string, fail: Fail): CronSchedule {
  const parts = body.trim().toUpperCase().split(/\s+/);
  if (parts.length !== 6) {
    fail(
      "expression",
      `cron needs six fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    );
  }
  const [minutes = "", hours = "", dom = "", month = "", dow = "", year = ""] = parts;
  for (const [part, text] of [
    ["minutes", minutes],
    ["hours", hours],
    ["month", month],
    ["year", year],
  ] as const) {
    if (text.includes("?")) fail(part, `? is only allowed in day-of-month and day-of-week`);
    if (/[LW#]/.test(text.replace(/[A-Z]{3}/g, (name) => (MONTHS.includes(name) ? "" : name)))) {
      fail(part, `${part} does not allow L, W or #`);
    }
  }
  if ((dom === "?") === (dow === "?")) {
    fail(
      dom === "?" ? "day-of-week" : "day-of-month",
      "exactly one of day-of-month and day-of-week must be ? (EventBridge cannot combine them)",
    );
  }
  const min = list(minutes, SPECS.minutes, fail);
  const hr = list(hours, SPECS.hours, fail);
  const cronerPattern = [
    "0",
    min.cron,
    hr.cron,
    dayOfMonth(dom, fail),
    list(month, SPECS.month, fail).cron,
    dayOfWeek(dow, fail),
    list(year, SPECS.year, fail).cron,
  ].join(" ");
  try {
    // Croner has the last word on anything this grammar let through (for example 31 with FEB only).
    croner(cronerPattern, "UTC");
  } catch (error) {
    fail("expression", `not a valid cron expression (${(error as Error).message})`);
  }
  return {
    kind: "cron",
    expression,
    fields: { minutes, hours, dayOfMonth: dom, month, dayOfWeek: dow, year },
    minutes: min.values,
    hours: hr.values,
    cronerPattern,
  };
}

function parseRate(expression: string, body: string, fail: Fail): RateSchedule {
  const match = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  if (!match) fail("rate", "rate needs a value and a unit, like rate(5 minutes)");
  const [, digits = "", word = ""] = match as RegExpExecArray;
  const n = Number(digits);
  const unit = word.replace(/s$/, "");
  if (unit !== "minute" && unit !== "hour" && unit !== "day") {
    return fail("rate", `unit ${JSON.stringify(word)} must be minute(s), hour(s) or day(s)`);
  }
  if (!Number.isSafeInteger(n) || n < 1) fail("rate", "the value must be a whole number ≥ 1");
  // EventBridge wants `rate(1 hour)` but `rate(2 hours)`.
  if ((n === 1) !== (word === unit)) {
    fail(
      "rate",
      n === 1 ? `use the singular unit with 1: rate(1 ${unit})` : `use the plural unit: rate(${n} ${unit}s)`,
    );
  }
  return { kind: "rate", expression, value: n, unit, intervalMs: n * UNIT_MS[unit] };
}

/**
 * Parses and validates an EventBridge Scheduler expression.
 *
 * @param expression - `cron(minutes hours day-of-month month day-of-week year)` or
 *   `rate(value minute|minutes|hour|hours|day|days)`.
 * @throws {ScheduleExpressionError} naming the part that is wrong (`day-of-week`, `rate`, …).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const fail: Fail = (part, message) => {
    throw new ScheduleExpressionError(expression, part, message);
  };
  const match = /^(cron|rate)\((.*)\)$/s.exec(expression.trim());
  if (!match) return fail("expression", "must be cron(…) with six fields or rate(value unit)");
  const [, kind, body = ""] = match;
  return kind === "cron" ? parseCron(expression, body, fail) : parseRate(expression, body, fail);
}

/**
 * @returns why an expression is invalid, or `undefined` when EventBridge Scheduler would accept it.
 *   For validators that collect messages (valibot `check`).
 */
export function scheduleExpressionIssue(expression: string): string | undefined {
  try {
    parseScheduleExpression(expression);
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return error.message;
    throw error;
  }
}

/** A paused croner job of a translated pattern (7 parts, Quartz weekday numbering) in `timeZone`. */
export function croner(pattern: string, timeZone: string): Cron {
  return new Cron(pattern, { timezone: timeZone, paused: true, mode: "7-part", alternativeWeekdays: true });
}
