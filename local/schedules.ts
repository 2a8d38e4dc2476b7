import { SyncAlreadyRunningError } from "../lambdas/core/jobs/errors.ts";
import { isSyncable } from "../lambdas/core/jobs/sync-jobs.ts";
import { runWatchdog } from "../lambdas/core/jobs/watchdog.ts";
import { nextFireTimes } from "../lambdas/core/schedules/eventbridge-schedule.ts";
import { runOperation, scheduledSyncInput } from "../lambdas/sync-jobs/operations.ts";
import type { Sandbox } from "./sandbox.ts";
import { MAX_TIMER_MS, realTimers, type Timers } from "./timers.ts";

/** One vendor's local schedule. */
export interface LocalSchedule {
  readonly vendorId: string;
  readonly expression: string;
  readonly timeZone: string;
  /** The next fire time, epoch ms. */
  next: number | undefined;
}

/** What happened when a schedule fired. */
export type FireOutcome =
  | { readonly vendorId: string; readonly started: string }
  | { readonly vendorId: string; readonly skipped: "paused" | "already-running"; readonly runningJobId?: string };

/**
 * `vendor-sync serve`'s stand-in for EventBridge Scheduler: each enabled vendor with a `schedule` and
 * a pull or file-drop channel fires at the times EventBridge would (`nextFireTimes`: croner with
 * EventBridge's `cron(…)`/`rate(…)` grammar, time zone and daylight-saving rules) and starts a sync
 * exactly as the schedule's target does (`trigger: "schedule"`), which skips a vendor whose job is
 * still running or that is paused. Rates count from when `serve` started. The flexible window is not
 * applied (fires at the exact time).
 */
export class LocalScheduler {
  readonly #sandbox: Sandbox;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #log: (line: string) => void;
  readonly #startedAt: number;
  readonly #handles = new Map<string, unknown>();
  readonly schedules: LocalSchedule[];
  #stopped = false;

  constructor(sandbox: Sandbox, options: { now?: () => number; timers?: Timers; log?: (line: string) => void } = {}) {
    this.#sandbox = sandbox;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? realTimers;
    this.#log = options.log ?? (() => {});
    this.#startedAt = this.#now();
    this.schedules = [...sandbox.vendors.values()]
      .filter((vendor) => vendor.enabled && vendor.schedule && isSyncable(vendor))
      .map((vendor) => ({
        vendorId: vendor.id,
        expression: vendor.schedule?.expression ?? "",
        timeZone: vendor.schedule?.timeZone ?? "UTC",
        next: undefined,
      }));
  }

  /** Arms every schedule for its next fire time. */
  start(): this {
    for (const schedule of this.schedules) this.#arm(schedule);
    return this;
  }

  #arm(schedule: LocalSchedule): void {
    if (this.#stopped) return;
    const now = this.#now();
    const [next] = nextFireTimes(schedule.expression, schedule.timeZone, now, 1, { startDate: this.#startedAt });
    schedule.next = next?.getTime();
    if (schedule.next === undefined) return;
    const at = schedule.next;
    const wait = Math.min(MAX_TIMER_MS, Math.max(0, at - now));
    this.#handles.set(
      schedule.vendorId,
      this.#timers.set(() => {
        if (this.#now() < at) return this.#arm(schedule);
        void this.fire(schedule.vendorId).finally(() => this.#arm(schedule));
      }, wait),
    );
  }

  /** Starts the vendor's scheduled sync now: the schedule's target input, through the on-demand operations. */
  async fire(vendorId: string): Promise<FireOutcome> {
    try {
      const started = await runOperation(this.#sandbox.scheduled.jobs, scheduledSyncInput(vendorId));
      if (!("started" in started)) throw new Error(`startSync answered ${JSON.stringify(started)}`);
      const outcome: FireOutcome = started.started
        ? { vendorId, started: started.job.jobId }
        : {
            vendorId,
            skipped: started.reason,
            ...(started.runningJobId ? { runningJobId: started.runningJobId } : {}),
          };
      this.#log(
        "started" in outcome
          ? `schedule ${vendorId}: job ${outcome.started} queued`
          : `schedule ${vendorId}: skipped (${outcome.skipped}${outcome.runningJobId ? ` ${outcome.runningJobId}` : ""})`,
      );
      return outcome;
    } catch (error) {
      if (error instanceof SyncAlreadyRunningError) return { vendorId, skipped: "already-running" };
      this.#log(`schedule ${vendorId}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** @returns one line per schedule: vendor, expression, zone, next run. */
  describe(): string[] {
    return this.schedules.map(
      (s) =>
        `${s.vendorId} ${s.expression} (${s.timeZone}), next ${s.next === undefined ? "never" : new Date(s.next).toISOString()}`,
    );
  }

  stop(): void {
    this.#stopped = true;
    for (const handle of this.#handles.values()) this.#timers.clear(handle);
    this.#handles.clear();
  }
}

/** Starts the local schedules of `serve`. */
export function startLocalSchedules(sandbox: Sandbox, options: { log?: (line: string) => void } = {}): LocalScheduler {
  return new LocalScheduler(sandbox, options).start();
}

/**
 * `serve`'s watchdog: runs the same check as the scheduled watchdog function, at start (a job left
 * RUNNING by a process that died) and then every `everyMs`.
 * @returns a function that stops it.
 */
export function startLocalWatchdog(
  sandbox: Sandbox,
  options: { everyMs?: number; log?: (line: string) => void; timers?: Timers } = {},
): () => void {
  const timers = options.timers ?? realTimers;
  let handle: unknown;
  let stopped = false;
  const run = async () => {
    try {
      const report = await runWatchdog({
        jobs: sandbox.scheduled.jobs,
        store: sandbox.sync,
        vendors: sandbox.registry,
        now: Date.now(),
      });
      for (const entry of report.stopped) {
        options.log?.(`watchdog: job ${entry.jobId} (${entry.vendorId}) ${entry.status}: its heartbeat stopped`);
      }
    } catch (error) {
      options.log?.(`watchdog: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!stopped) handle = timers.set(() => void run(), options.everyMs ?? 5 * 60_000);
  };
  void run();
  return () => {
    stopped = true;
    if (handle !== undefined) timers.clear(handle);
  };
}
