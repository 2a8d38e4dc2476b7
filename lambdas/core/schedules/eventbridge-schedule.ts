import { isTimeZone } from "../timestamps.ts";
import { croner, parseScheduleExpression, ScheduleExpressionError } from "./schedule-expression.ts";

/**
 * EventBridge Scheduler schedule expressions (`cron(…)` and `rate(…)`) evaluated in an IANA time zone,
 * so the sandbox's local schedules and `vendor-sync` previews fire when the real schedule would.
 *
 * Cron matching is croner's; this module checks the EventBridge grammar (which croner is more lenient
 * than), translates it (EventBridge day-of-week 1–7 = SUN–SAT, `?`, a year field) and applies the
 * Scheduler's daylight-saving rules, which differ from croner's Vixie-cron rules:
 *
 * - spring forward: an invocation whose local time does not exist is **skipped** (croner would run a
 *   fixed-time job at the first valid time after the gap);
 * - fall back: a local time that occurs twice runs **once**, at its first occurrence (croner runs
 *   interval jobs on both occurrences).
 *
 * Approximations, because EventBridge documents no more than this:
 * - a range whose start is after its end (`FRI-MON`, `22-2`) is refused rather than wrapped;
 * - `L`, `LW`, `nW`, `nL` and `n#k` must stand alone in their field (Quartz's rule; EventBridge only
 *   states it for `#`);
 * - the 60-second invocation precision and flexible time windows are not modelled: fire times are the
 *   exact minute the expression names;
 * - for `rate(…)` without a start date, the schedule is taken to have been created at `from`, so the
 *   first fire time is `from` + one interval.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */

const wallClocks = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock time of an instant in a zone, as comparable parts. */
function wallClock(ms: number, timeZone: string): { key: string; hour: number; minute: number } {
  let format = wallClocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    wallClocks.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((part) => [part.type, part.value]));
  return {
    key: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
}

/** Offsets a repeated hour can have: Lord Howe Island shifts by 30 minutes, a few zones once by 2 hours. */
const FALL_BACK_SHIFTS_MS = [30 * 60_000, 60 * 60_000, 120 * 60_000];

/** The schedule's own bounds, as EventBridge Scheduler's `StartDate` and `EndDate`. */
export interface NextFireTimesOptions {
  /** The schedule's `StartDate` (epoch ms or Date): nothing fires before it. Anchors `rate(…)` schedules. */
  readonly startDate?: Date | number;
  /** The schedule's `EndDate` (epoch ms or Date): nothing fires at or after it. */
  readonly endDate?: Date | number;
}

/**
 * The next times a schedule fires, strictly after `from`, following EventBridge Scheduler semantics
 * (see the module comment for the DST rules and what is approximated).
 *
 * @param expression - a `cron(…)` or `rate(…)` expression.
 * @param timeZone - IANA zone the cron expression is evaluated in (`"Europe/Berlin"`); not used by rates.
 * @param from - the instant to look after (epoch ms or Date).
 * @param count - how many fire times to return (0–10,000).
 * @returns up to `count` instants, ascending; fewer when the schedule ends (year field, `endDate`).
 * @throws {ScheduleExpressionError} for an invalid expression, time zone or count.
 */
export function nextFireTimes(
  expression: string,
  timeZone: string,
  from: Date | number,
  count: number,
  options: NextFireTimesOptions = {},
): Date[] {
  const schedule = parseScheduleExpression(expression);
  if (!isTimeZone(timeZone)) {
    throw new ScheduleExpressionError(expression, "time-zone", `unknown IANA time zone ${JSON.stringify(timeZone)}`);
  }
  if (!Number.isSafeInteger(count) || count < 0 || count > 10_000) {
    throw new ScheduleExpressionError(expression, "expression", `count must be a whole number 0–10000, got ${count}`);
  }
  const fromMs = +from;
  const startMs = options.startDate === undefined ? undefined : +options.startDate;
  const endMs = options.endDate === undefined ? Number.POSITIVE_INFINITY : +options.endDate;
  const out: Date[] = [];
  if (schedule.kind === "rate") {
    const anchor = startMs ?? fromMs;
    const k = anchor > fromMs ? 0 : Math.floor((fromMs - anchor) / schedule.intervalMs) + 1;
    for (let i = 0; out.length < count; i++) {
      const at = anchor + (k + i) * schedule.intervalMs;
      if (at >= endMs) break;
      out.push(new Date(at));
    }
    return out;
  }
  const job = croner(schedule.cronerPattern, timeZone);
  let cursor = new Date(startMs !== undefined && startMs - 1 > fromMs ? startMs - 1 : fromMs);
  // Each skipped candidate is a DST gap or a repeated hour; a few per year at most.
  for (let guard = 0; out.length < count && guard < count * 2 + 100; guard++) {
    const next = job.nextRun(cursor);
    if (!next || next.getTime() >= endMs) break;
    cursor = next;
    const at = next.getTime();
    const local = wallClock(at, timeZone);
    // Croner moved a fixed time out of a spring-forward gap; EventBridge skips it instead.
    if (!schedule.hours.has(local.hour) || !schedule.minutes.has(local.minute)) continue;
    // Second pass through a repeated (fall-back) hour: EventBridge runs each local time once.
    if (FALL_BACK_SHIFTS_MS.some((shift) => wallClock(at - shift, timeZone).key === local.key)) continue;
    out.push(next);
  }
  return out;
}
