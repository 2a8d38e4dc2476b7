/**
 * watchdog — runs on a schedule: fails pull jobs whose heartbeat stopped (a crashed worker, a lost
 * message) and frees their vendors, so nothing stays RUNNING forever (see `runWatchdog`).
 */
import type { JobStore } from "../core/jobs/ports.ts";
import type { SyncJobs, VendorLookup } from "../core/jobs/sync-jobs.ts";
import { runWatchdog, type WatchdogReport } from "../core/jobs/watchdog.ts";
import type { Log } from "../core/ports.ts";

export interface WatchdogDeps {
  readonly jobs: SyncJobs;
  readonly store: JobStore;
  readonly vendors: VendorLookup;
  readonly log: Log;
  /** @default 30 minutes */
  readonly staleAfterMs?: number;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
}

/** Builds the watchdog function (its scheduled event carries nothing it needs). */
export function makeHandler(deps: WatchdogDeps) {
  return async (): Promise<WatchdogReport> => {
    const report = await runWatchdog(
      { jobs: deps.jobs, store: deps.store, vendors: deps.vendors, now: (deps.now ?? Date.now)(), log: deps.log },
      deps.staleAfterMs === undefined ? {} : { staleAfterMs: deps.staleAfterMs },
    );
    if (report.stopped.length > 0 || report.locksCleared.length > 0) deps.log.warn("watchdog acted", { ...report });
    return report;
  };
}
