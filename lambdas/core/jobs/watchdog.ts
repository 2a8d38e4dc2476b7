import { ConcurrentUpdateError } from "../errors.ts";
import type { Log } from "../ports.ts";
import { silentLog } from "../ports.ts";
import { isFinal, type JobItem } from "./job.ts";
import type { JobStore } from "./ports.ts";
import type { SyncJobs, VendorLookup } from "./sync-jobs.ts";

/** How long a job may go without a heartbeat. */
export interface WatchdogOptions {
  /**
   * A queued or running pull job whose heartbeat (or, never started, its creation) is older than this
   * has stopped. Must exceed the longest wait between two steps: a follow-up message delayed by a rate
   * limit (at most 15 minutes, the SQS maximum) plus one worker invocation. @default 30 minutes
   */
  readonly staleAfterMs?: number;
  /** Jobs created this far back are checked. @default 7 days */
  readonly lookbackMs?: number;
}

/** What one watchdog run did. */
export interface WatchdogReport {
  /** Jobs failed (or cancelled, when a cancel had been asked for) because their heartbeat stopped. */
  readonly stopped: { readonly jobId: string; readonly vendorId: string; readonly status: "FAILED" | "CANCELLED" }[];
  /** Vendor locks held by a job that had already ended or vanished, released. */
  readonly locksCleared: { readonly vendorId: string; readonly jobId: string }[];
}

export const DEFAULT_STALE_AFTER_MS = 30 * 60_000;

/**
 * @returns whether a job's heartbeat stopped. Only pull jobs (workflows `scheduled` and `on-demand`)
 *   are watched, and not once they were handed to the batch workflow (its state machine finishes them).
 */
export function isStalled(job: JobItem, now: number, staleAfterMs = DEFAULT_STALE_AFTER_MS): boolean {
  if (isFinal(job) || job.handoff) return false;
  if (job.workflow !== "scheduled" && job.workflow !== "on-demand") return false;
  return (job.heartbeatAt ?? job.createdAt) + staleAfterMs < now;
}

/**
 * The watchdog (run on a schedule): fails every pull job whose heartbeat stopped — a worker that
 * crashed, a message that was lost — so nothing stays RUNNING forever and the vendor's lock is freed,
 * and releases locks whose job already ended. Each failure is conditional on the heartbeat it saw, so
 * a worker that beats in between keeps its job.
 */
export async function runWatchdog(
  deps: {
    readonly jobs: SyncJobs;
    readonly store: JobStore;
    readonly vendors: VendorLookup;
    readonly now: number;
    readonly log?: Log;
  },
  options: WatchdogOptions = {},
): Promise<WatchdogReport> {
  const log = deps.log ?? silentLog;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const since = deps.now - (options.lookbackMs ?? 7 * 86_400_000);
  const report: WatchdogReport = { stopped: [], locksCleared: [] };
  for (const vendor of deps.vendors.all()) {
    const jobs = await deps.store.listJobs(vendor.id, { since, limit: 500 });
    for (const job of jobs) {
      if (!isStalled(job, deps.now, staleAfterMs)) continue;
      const status = job.cancelRequestedAt === undefined ? "FAILED" : "CANCELLED";
      const lastSign = job.heartbeatAt ?? job.createdAt;
      try {
        await deps.jobs.finish(job, {
          status,
          tally: { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
          errorSummary: `${status === "FAILED" ? "failed" : "cancelled"} by the watchdog: no heartbeat since ${new Date(lastSign).toISOString()} (${job.status})`,
          guard: { from: [job.status], heartbeatAt: job.heartbeatAt ?? null },
        });
        report.stopped.push({ jobId: job.jobId, vendorId: vendor.id, status });
        log.warn("job stopped by the watchdog", { jobId: job.jobId, vendorId: vendor.id, status, lastSign });
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
        // It beat or ended in the meantime: alive after all.
      }
    }
    const state = await deps.store.getVendorState(vendor.id);
    if (state.runningJobId) {
      const holder = await deps.store.getJob(state.runningJobId);
      if (!holder || isFinal(holder)) {
        await deps.store.releaseVendorLock(vendor.id, state.runningJobId);
        report.locksCleared.push({ vendorId: vendor.id, jobId: state.runningJobId });
        log.warn("stale vendor lock released", { vendorId: vendor.id, jobId: state.runningJobId });
      }
    }
  }
  return report;
}
