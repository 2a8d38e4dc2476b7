import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../../lambdas/core/errors.ts";
import { nextFireTimes } from "../../../../lambdas/core/schedules/eventbridge-schedule.ts";
import {
  parseScheduleExpression,
  ScheduleExpressionError,
  scheduleExpressionIssue,
} from "../../../../lambdas/core/schedules/schedule-expression.ts";
import { parseVendorConfig } from "../../../../lambdas/core/vendor-config.ts";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("nextFireTimes — cron", () => {
  it.each([
    // [expression, zone, from, expected UTC instants]
    ["cron(0 10 * * ? *)", "UTC", "2025-01-01T10:00:00Z", ["2025-01-02T10:00:00.000Z", "2025-01-03T10:00:00.000Z"]],
    [
      "cron(15 12 * * ? *)",
      "Asia/Tokyo",
      "2025-06-01T00:00:00Z",
      ["2025-06-01T03:15:00.000Z", "2025-06-02T03:15:00.000Z"],
    ],
    // Day-of-week is 1–7 = SUN–SAT: 2 is Monday, not Tuesday as in Unix cron.
    ["cron(0 8 ? * 2 *)", "UTC", "2025-01-01T00:00:00Z", ["2025-01-06T08:00:00.000Z", "2025-01-13T08:00:00.000Z"]],
    ["cron(0 8 ? * 1 *)", "UTC", "2025-01-01T00:00:00Z", ["2025-01-05T08:00:00.000Z", "2025-01-12T08:00:00.000Z"]],
    // 1/10 starts at minute 1.
    [
      "cron(1/10 * * * ? *)",
      "UTC",
      "2025-01-01T00:00:00Z",
      ["2025-01-01T00:01:00.000Z", "2025-01-01T00:11:00.000Z", "2025-01-01T00:21:00.000Z"],
    ],
    // L = last day of the month.
    ["cron(0 9 L * ? *)", "UTC", "2025-01-15T00:00:00Z", ["2025-01-31T09:00:00.000Z", "2025-02-28T09:00:00.000Z"]],
    // LW = last weekday: 2025-05-31 is a Saturday.
    ["cron(0 9 LW * ? *)", "UTC", "2025-05-01T00:00:00Z", ["2025-05-30T09:00:00.000Z", "2025-06-30T09:00:00.000Z"]],
    // 15W = weekday nearest the 15th: 2025-02-15 is a Saturday, 2025-06-15 a Sunday.
    ["cron(0 9 15W * ? *)", "UTC", "2025-02-01T00:00:00Z", ["2025-02-14T09:00:00.000Z", "2025-03-14T09:00:00.000Z"]],
    ["cron(0 9 15W 6 ? *)", "UTC", "2025-06-01T00:00:00Z", ["2025-06-16T09:00:00.000Z"]],
    // Bare L in day-of-week = the last day of the week, Saturday.
    ["cron(0 9 ? * L *)", "UTC", "2025-01-01T00:00:00Z", ["2025-01-04T09:00:00.000Z", "2025-01-11T09:00:00.000Z"]],
    // 6L = last Friday of the month.
    ["cron(0 9 ? * 6L *)", "UTC", "2025-01-01T00:00:00Z", ["2025-01-31T09:00:00.000Z", "2025-02-28T09:00:00.000Z"]],
    // 3#2 = second Tuesday; MON#1 style with a name.
    ["cron(0 9 ? * 3#2 *)", "UTC", "2025-01-01T00:00:00Z", ["2025-01-14T09:00:00.000Z", "2025-02-11T09:00:00.000Z"]],
    ["cron(0 9 ? * MON#1 *)", "UTC", "2025-01-01T00:00:00Z", ["2025-01-06T09:00:00.000Z", "2025-02-03T09:00:00.000Z"]],
    // Month names, including JUL (whose L is not the L wildcard), and a year field.
    [
      "cron(0 6 1 JUL ? 2026-2027)",
      "UTC",
      "2025-01-01T00:00:00Z",
      ["2026-07-01T06:00:00.000Z", "2027-07-01T06:00:00.000Z"],
    ],
    [
      "cron(0/30 8-9 ? * sat *)",
      "UTC",
      "2025-01-01T00:00:00Z",
      ["2025-01-04T08:00:00.000Z", "2025-01-04T08:30:00.000Z"],
    ],
  ])("%s in %s after %s", (expression, zone, from, expected) => {
    expect(iso(nextFireTimes(expression, zone, new Date(from), expected.length))).toEqual(expected);
  });

  it("stops when the year field runs out", () => {
    expect(iso(nextFireTimes("cron(0 0 1 1 ? 2026)", "UTC", Date.parse("2025-01-01T00:00:00Z"), 5))).toEqual([
      "2026-01-01T00:00:00.000Z",
    ]);
  });

  it("skips the invocation whose local time does not exist on the spring-forward night (Europe/Berlin)", () => {
    // 2025-03-30 02:00 CET jumps to 03:00 CEST: 02:30 never happens that night.
    const times = nextFireTimes("cron(30 2 * * ? *)", "Europe/Berlin", new Date("2025-03-28T12:00:00Z"), 3);
    expect(iso(times)).toEqual([
      "2025-03-29T01:30:00.000Z", // 02:30 CET
      "2025-03-31T00:30:00.000Z", // 02:30 CEST; nothing on the 30th
      "2025-04-01T00:30:00.000Z",
    ]);
  });

  it("keeps interval schedules running through the spring-forward gap without the missing times", () => {
    const times = nextFireTimes("cron(0/30 * * * ? *)", "Europe/Berlin", new Date("2025-03-30T00:00:00Z"), 4);
    // 01:30 CET, then 03:00 CEST: local 02:00 and 02:30 do not exist.
    expect(iso(times)).toEqual([
      "2025-03-30T00:30:00.000Z",
      "2025-03-30T01:00:00.000Z",
      "2025-03-30T01:30:00.000Z",
      "2025-03-30T02:00:00.000Z",
    ]);
  });

  it("moves weekday 09:00 New York runs from 13:00Z to 14:00Z across the November DST end", () => {
    const times = nextFireTimes("cron(0 9 ? * MON-FRI *)", "America/New_York", new Date("2025-10-30T00:00:00Z"), 5);
    expect(iso(times)).toEqual([
      "2025-10-30T13:00:00.000Z", // Thu, EDT
      "2025-10-31T13:00:00.000Z", // Fri, EDT
      "2025-11-03T14:00:00.000Z", // Mon, EST (DST ended Sun 2 Nov)
      "2025-11-04T14:00:00.000Z",
      "2025-11-05T14:00:00.000Z",
    ]);
  });

  it("runs a repeated local time once when clocks fall back", () => {
    // 2025-11-02 01:00–01:59 happens twice in New York.
    expect(iso(nextFireTimes("cron(30 1 * * ? *)", "America/New_York", new Date("2025-11-01T12:00:00Z"), 2))).toEqual([
      "2025-11-02T05:30:00.000Z", // first 01:30 (EDT)
      "2025-11-03T06:30:00.000Z",
    ]);
    expect(iso(nextFireTimes("cron(0/30 * * * ? *)", "America/New_York", new Date("2025-11-02T05:00:00Z"), 3))).toEqual(
      ["2025-11-02T05:30:00.000Z", "2025-11-02T07:00:00.000Z", "2025-11-02T07:30:00.000Z"],
    );
  });

  it("respects a start and an end date", () => {
    const times = nextFireTimes("cron(0 12 * * ? *)", "UTC", Date.parse("2025-01-01T00:00:00Z"), 10, {
      startDate: Date.parse("2025-01-03T12:00:00Z"),
      endDate: Date.parse("2025-01-05T12:00:00Z"),
    });
    expect(iso(times)).toEqual(["2025-01-03T12:00:00.000Z", "2025-01-04T12:00:00.000Z"]);
  });
});

describe("nextFireTimes — rate", () => {
  it("counts from `from` when the schedule has no start date", () => {
    expect(iso(nextFireTimes("rate(5 minutes)", "UTC", Date.parse("2025-01-01T00:00:00Z"), 2))).toEqual([
      "2025-01-01T00:05:00.000Z",
      "2025-01-01T00:10:00.000Z",
    ]);
  });

  it("keeps the start date's phase", () => {
    const times = nextFireTimes("rate(1 hour)", "UTC", Date.parse("2025-01-01T10:20:00Z"), 2, {
      startDate: Date.parse("2025-01-01T08:45:00Z"),
    });
    expect(iso(times)).toEqual(["2025-01-01T10:45:00.000Z", "2025-01-01T11:45:00.000Z"]);
  });

  it("treats days as 24-hour durations across a DST change", () => {
    const times = nextFireTimes("rate(1 day)", "Europe/Berlin", Date.parse("2025-03-29T09:00:00Z"), 2);
    expect(iso(times)).toEqual(["2025-03-30T09:00:00.000Z", "2025-03-31T09:00:00.000Z"]);
  });

  it("fires at the start date itself when it lies ahead", () => {
    const times = nextFireTimes("rate(2 days)", "UTC", Date.parse("2025-01-01T00:00:00Z"), 2, {
      startDate: Date.parse("2025-02-01T00:00:00Z"),
    });
    expect(iso(times)).toEqual(["2025-02-01T00:00:00.000Z", "2025-02-03T00:00:00.000Z"]);
  });
});

describe("schedule expression validation", () => {
  it.each([
    ["cron(0 9 * * ?)", "expression", /six fields/],
    ["cron(0 9 * * * *)", "day-of-month", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 9 ? * ? *)", "day-of-week", /exactly one/],
    ["cron(60 9 * * ? *)", "minutes", /minutes value 60 is outside 0–59/],
    ["cron(0 24 * * ? *)", "hours", /outside 0–23/],
    ["cron(0 9 ? * 0 *)", "day-of-week", /day-of-week value 0 is outside 1–7/],
    ["cron(0 9 ? * 1/2 *)", "day-of-week", /does not allow "\/"/],
    ["cron(0 9 ? * 3#1,6#3 *)", "day-of-week", /# allows one expression only/],
    ["cron(0 9 ? * 3#6 *)", "day-of-week", /1–5/],
    ["cron(0 9 * * ? 1969)", "year", /outside 1970–2199/],
    ["cron(0 9 * FOO ? *)", "month", /not a number or JAN–DEC/],
    ["cron(0 ? * * ? *)", "hours", /\? is only allowed/],
    ["cron(0 9 L,5 * ? *)", "day-of-month", /must stand alone/],
    ["cron(0 9 10-5 * ? *)", "day-of-month", /runs backwards/],
    ["rate(0 minutes)", "rate", /≥ 1/],
    ["rate(1 minutes)", "rate", /rate\(1 minute\)/],
    ["rate(5 minute)", "rate", /rate\(5 minutes\)/],
    ["rate(5 weeks)", "rate", /minute\(s\), hour\(s\) or day\(s\)/],
    ["rate(five minutes)", "rate", /value and a unit/],
    ["at(2025-01-01T00:00:00)", "expression", /cron\(…\)/],
  ])("fails for %s", (expression, part, message) => {
    let caught: unknown;
    try {
      parseScheduleExpression(expression);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScheduleExpressionError);
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ScheduleExpressionError).part).toBe(part);
    expect((caught as Error).message).toMatch(message);
    expect(scheduleExpressionIssue(expression)).toMatch(message);
  });

  it("fails for an unknown time zone", () => {
    expect(() => nextFireTimes("cron(0 9 * * ? *)", "Mars/Olympus", 0, 1)).toThrow(/unknown IANA time zone/);
  });

  it("accepts the documented examples", () => {
    for (const expression of [
      "cron(0 10 * * ? *)",
      "cron(15 12 * * ? *)",
      "cron(0 18 ? * MON-FRI *)",
      "cron(0 8 1 * ? *)",
      "cron(0/15 * * * ? *)",
      "cron(0/10 * ? * MON-FRI *)",
      "cron(0/5 8-17 ? * MON-FRI *)",
      "cron(0 9 ? * 2#1 *)",
      "rate(1 minute)",
      "rate(5 minutes)",
      "rate(1 hour)",
      "rate(12 hours)",
      "rate(1 day)",
      "rate(7 days)",
    ]) {
      expect(scheduleExpressionIssue(expression), expression).toBeUndefined();
    }
  });

  it("is what the vendor config validates schedules with", () => {
    const base = {
      id: "demo-vendor",
      name: "Demo",
      entityTypes: ["price"],
      defaultCurrency: "USD",
      channels: { file: { format: "canonical" }, fileDrop: { bucket: "demo-drops" } },
    };
    expect(() =>
      parseVendorConfig({ ...base, schedule: { expression: "cron(0 9 ? * 0 *)" } }, "demo-vendor.json"),
    ).toThrow(/schedule\.expression: .*day-of-week value 0 is outside 1–7/);
    expect(
      parseVendorConfig({ ...base, schedule: { expression: "cron(0 9 ? * MON-FRI *)" } }, "demo-vendor.json").schedule
        ?.expression,
    ).toBe("cron(0 9 ? * MON-FRI *)");
  });
});
