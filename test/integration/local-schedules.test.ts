import { afterEach, describe, expect, it } from "vitest";
import { nextFireTimes } from "../../lambdas/core/schedules/eventbridge-schedule.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { LocalScheduler } from "../../local/schedules.ts";
import { openPullSandbox, shopifyPull, TestClock, testVendor } from "../support/scheduled.ts";
import { manualTimers } from "../support/timers.ts";

let sandbox: Sandbox;

afterEach(async () => {
  await sandbox.close();
});

describe("vendor-sync serve's local schedules", () => {
  it("arms each vendor's schedule for EventBridge's next fire time in its zone, across the DST change", async () => {
    // 01:30 in New York on the night clocks spring forward; the 02:30 run does not exist that night.
    const clock = new TestClock(Date.parse("2026-03-08T06:30:00Z"));
    sandbox = await openPullSandbox(
      [
        testVendor({
          id: "nightly",
          channels: { pull: shopifyPull("https://nightly.example.com") },
          schedule: { expression: "cron(30 2 * * ? *)", timeZone: "America/New_York" },
        }),
        testVendor({ id: "unscheduled", channels: { pull: shopifyPull("https://other.example.com") } }),
      ],
      clock,
    );
    const { armed, timers } = manualTimers();
    const scheduler = new LocalScheduler(sandbox, { now: clock.now, timers }).start();

    const [expected] = nextFireTimes("cron(30 2 * * ? *)", "America/New_York", clock.ms, 1);
    expect(expected?.toISOString()).toBe("2026-03-09T06:30:00.000Z");
    expect(armed.map((t) => t.ms)).toEqual([(expected?.getTime() ?? 0) - clock.ms]);
    expect(scheduler.describe()).toEqual([
      "nightly cron(30 2 * * ? *) (America/New_York), next 2026-03-09T06:30:00.000Z",
    ]);
    scheduler.stop();
    expect(armed[0]?.cleared).toBe(true);
  });

  it("starts a scheduled sync when it fires, and skips the vendor while that job is still running", async () => {
    const clock = new TestClock(Date.parse("2026-03-15T12:00:00Z"));
    sandbox = await openPullSandbox(
      [
        testVendor({
          id: "hourly",
          channels: { pull: shopifyPull("https://hourly.example.com") },
          schedule: { expression: "rate(1 hour)" },
        }),
      ],
      clock,
    );
    const { armed, timers } = manualTimers();
    const scheduler = new LocalScheduler(sandbox, { now: clock.now, timers, log: () => {} }).start();
    expect(armed[0]?.ms).toBe(3_600_000);

    clock.advance(3_600_000);
    const first = await scheduler.fire("hourly");
    expect(first).toMatchObject({ vendorId: "hourly", started: expect.any(String) });
    const job = await sandbox.scheduled.jobs.get((first as { started: string }).started);
    expect(job).toMatchObject({ trigger: "schedule", workflow: "scheduled", input: { mode: "incremental" } });

    expect(await scheduler.fire("hourly")).toEqual({
      vendorId: "hourly",
      skipped: "already-running",
      runningJobId: job.jobId,
    });
    scheduler.stop();
  });
});
