import { monotonicFactory } from "ulid";
import * as v from "valibot";
import { ConcurrentUpdateError, SystemError, TransientError, ValidationError } from "../errors.ts";
import type { Workflow } from "../model.ts";
import type { Log, QueueSender } from "../ports.ts";
import { silentLog } from "../ports.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { JobNotCancellableError, JobNotFoundError, SyncAlreadyRunningError, VendorNotSyncableError } from "./errors.ts";
import { finishJob, type JobEnd } from "./finish.ts";
import { isBatchRun } from "./interrupted.ts";
import { isFinal, type JobItem, jobNotification } from "./job.ts";
import { type StartSyncRequest, StartSyncRequestSchema, syncMessage } from "./messages.ts";
import type { BatchExecutionControl, JobNotifier, JobStore } from "./ports.ts";

/** The vendors the job lifecycle knows (the bundled registry on AWS, the config folder in the sandbox). */
export interface VendorLookup {
  /** @throws {ValidationError} for an unknown vendor id. */
  get(vendorId: string): VendorConfig;
  all(): VendorConfig[];
}

export interface SyncJobsDeps {
  readonly vendors: VendorLookup;
  readonly store: JobStore;
  /** The standard-priority queue the pull worker consumes; needed by {@link SyncJobs.start} only. */
  readonly queue?: QueueSender;
  /** Stops the batch run of a job being cancelled. @default a batch run's job only records the request */
  readonly executions?: BatchExecutionControl;
  readonly notifier: JobNotifier;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** @default a monotonic ULID of `now` (ids sort in creation order, even within one millisecond) */
  readonly newJobId?: (now: number) => string;
  readonly log?: Log;
}

export type { JobEnd } from "./finish.ts";

/** What a start answers: the job, or why a scheduled start was skipped. */
export type StartResult =
  | { readonly started: true; readonly job: JobItem }
  | { readonly started: false; readonly reason: "paused" | "already-running"; readonly runningJobId?: string };

/** @returns whether the vendor has a channel the pull worker can read. */
export function isSyncable(vendor: VendorConfig): boolean {
  return vendor.channels.pull !== undefined || vendor.channels.fileDrop !== undefined;
}

/**
 * The job lifecycle of the scheduled and on-demand workflows (docs/scheduled-sync.md): start a sync (job +
 * single-running-job lock + queue message), look jobs up, cancel them, and finish them (status,
 * freshness, watermark, lock, notification). The schedule target, the on-demand function, the admin
 * API, the pull worker, the watchdog and the sandbox CLI all go through this class.
 */
export class SyncJobs {
  readonly #deps: SyncJobsDeps;
  readonly #now: () => number;
  readonly #log: Log;
  readonly #ulid = monotonicFactory();

  constructor(deps: SyncJobsDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.log ?? silentLog;
  }

  /**
   * Starts a sync: takes the vendor's lock, creates the job (QUEUED, ULID id) and queues its first step.
   * A scheduled start of a paused vendor, or of a vendor whose job is still running, is skipped.
   *
   * @throws {ValidationError} for a malformed request or an unknown vendor.
   * @throws {VendorNotSyncableError} when the vendor is disabled or has no pull or file-drop channel.
   * @throws {SyncAlreadyRunningError} (not for schedules: they skip) when the vendor has a job queued or running.
   * @throws {TransientError} when the message could not be queued (the job is then FAILED and the lock released).
   */
  async start(input: StartSyncRequest): Promise<StartResult> {
    const queue = this.#deps.queue;
    if (!queue) throw new SystemError("SyncJobs.start needs the sync queue (deps.queue)");
    const parsed = v.safeParse(StartSyncRequestSchema, input);
    if (!parsed.success) {
      const issue = parsed.issues[0];
      const field = v.getDotPath(issue) ?? undefined;
      throw new ValidationError(`invalid sync request: ${field ?? "(root)"}: ${issue.message}`, { field });
    }
    const request = parsed.output;
    const vendor = this.#deps.vendors.get(request.vendorId);
    if (!vendor.enabled) throw new VendorNotSyncableError(vendor.id, "it is disabled in its configuration");
    if (!isSyncable(vendor)) {
      throw new VendorNotSyncableError(
        vendor.id,
        "it has no pull or file-drop channel (channels.pull, channels.fileDrop)",
      );
    }
    const scheduled = request.trigger === "schedule";
    if (scheduled && (await this.#deps.store.getVendorState(vendor.id)).paused) {
      this.#log.info("scheduled sync skipped: vendor paused", { vendorId: vendor.id });
      return { started: false, reason: "paused" };
    }
    const now = this.#now();
    const jobId = this.#deps.newJobId?.(now) ?? this.#ulid(now);
    try {
      await this.#lock(vendor.id, jobId, now);
    } catch (error) {
      if (scheduled && error instanceof SyncAlreadyRunningError) {
        this.#log.info("scheduled sync skipped: a job is still running", {
          vendorId: vendor.id,
          runningJobId: error.runningJobId,
        });
        return { started: false, reason: "already-running", runningJobId: error.runningJobId };
      }
      throw error;
    }
    const workflow: Workflow = scheduled ? "scheduled" : "on-demand";
    let job: JobItem;
    try {
      job = await this.#deps.store.createJob({
        jobId,
        vendorId: vendor.id,
        workflow,
        trigger: request.trigger,
        input: {
          mode: request.mode,
          dryRun: request.dryRun,
          ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
        },
        createdAt: now,
        step: 1,
      });
    } catch (error) {
      await this.#deps.store.releaseVendorLock(vendor.id, jobId);
      throw error;
    }
    try {
      await queue.send({
        body: syncMessage(jobId, vendor.id, 1),
        attributes: { vendorId: vendor.id, kind: "sync", jobId },
      });
    } catch (error) {
      const message = `could not queue the job: ${error instanceof Error ? error.message : String(error)}`;
      await this.finish(job, {
        status: "FAILED",
        tally: { counts: job.counts, rowsRead: 0, pagesFetched: 0 },
        errorSummary: message,
      });
      throw new TransientError(message, { cause: error });
    }
    this.#log.info("sync job queued", { vendorId: vendor.id, jobId, mode: request.mode, dryRun: request.dryRun });
    return { started: true, job };
  }

  /** Takes the vendor lock, clearing a lock left by a job that ended or vanished (a crash between steps). */
  async #lock(vendorId: string, jobId: string, now: number): Promise<void> {
    const store = this.#deps.store;
    for (let attempt = 0; attempt < 2; attempt++) {
      const lock = await store.acquireVendorLock(vendorId, jobId, now);
      if (lock.acquired) return;
      const holder = await store.getJob(lock.holder);
      if (holder && !isFinal(holder)) throw new SyncAlreadyRunningError(vendorId, lock.holder);
      this.#log.warn("clearing a stale vendor lock", { vendorId, holder: lock.holder, status: holder?.status });
      await store.releaseVendorLock(vendorId, lock.holder);
    }
    throw new SyncAlreadyRunningError(vendorId, (await store.getVendorState(vendorId)).runningJobId ?? "(unknown)");
  }

  /** @throws {JobNotFoundError} */
  async get(jobId: string): Promise<JobItem> {
    const job = await this.#deps.store.getJob(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }

  /**
   * Jobs newest first: one vendor's, or every configured vendor's merged.
   * @param options.since - created at or after, epoch ms. @param options.limit - @default 20
   */
  async list(options: { vendorId?: string; since?: number; limit?: number } = {}): Promise<JobItem[]> {
    const limit = options.limit ?? 20;
    const vendorIds = options.vendorId
      ? [this.#deps.vendors.get(options.vendorId).id]
      : this.#deps.vendors.all().map((vendor) => vendor.id);
    const lists = await Promise.all(
      vendorIds.map((vendorId) =>
        this.#deps.store.listJobs(vendorId, {
          limit,
          ...(options.since === undefined ? {} : { since: options.since }),
        }),
      ),
    );
    return lists
      .flat()
      .sort((a, b) => (a.jobId < b.jobId ? 1 : a.jobId > b.jobId ? -1 : 0))
      .slice(0, limit);
  }

  /**
   * Cancels a job. A queued job is cancelled at once (and the vendor lock released); for a running
   * job the request is recorded and the worker stops at its next page, finishing the job CANCELLED
   * with the counts so far; a running batch run (an import, a handed-over pull) has its execution
   * stopped, and ends CANCELLED with its counts so far when it has.
   *
   * @returns the job as it is now (CANCELLED, or RUNNING with `cancelRequestedAt`).
   * @throws {JobNotFoundError}
   * @throws {JobNotCancellableError} when the job has already ended.
   */
  async cancel(jobId: string, by?: string): Promise<JobItem> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const job = await this.get(jobId);
      if (isFinal(job)) throw new JobNotCancellableError(jobId, job.status);
      const now = this.#now();
      if (job.status === "QUEUED") {
        let cancelled: JobItem;
        try {
          cancelled = await this.#deps.store.transitionJob(
            jobId,
            "CANCELLED",
            {
              finishedAt: now,
              errorSummary: `cancelled before it started${by ? ` by ${by}` : ""}`,
              cancelRequestedAt: now,
            },
            { from: ["QUEUED"] },
          );
        } catch (error) {
          if (error instanceof ConcurrentUpdateError) continue; // a worker claimed it meanwhile
          throw error;
        }
        await this.#afterFinish(cancelled);
        return cancelled;
      }
      if (await this.#deps.store.requestCancel(jobId, now)) {
        this.#log.info("cancel requested", { jobId, vendorId: job.vendorId, by });
        // A batch run has no page to stop at: its execution is stopped, and its end ends the job CANCELLED.
        if (isBatchRun(job) && this.#deps.executions) {
          await this.#deps.executions.stop(job, `cancelled${by ? ` by ${by}` : ""}`);
        }
        return this.get(jobId);
      }
    }
    const job = await this.get(jobId);
    if (isFinal(job)) throw new JobNotCancellableError(jobId, job.status);
    return job;
  }

  /**
   * Ends a job ({@link finishJob}: status, counts, freshness and watermark on success, the vendor's
   * lock), then publishes the job notification. The batch workflow's commit ends the pulls it took
   * over with the same function.
   *
   * @throws {ConcurrentUpdateError} when the job already ended or a guard does not hold.
   */
  async finish(job: JobItem, end: JobEnd): Promise<JobItem> {
    const { job: finished } = await finishJob(this.#deps.store, job, end, { at: this.#now(), releaseLock: true });
    await this.#notify(finished);
    this.#log.info("sync job finished", {
      jobId: job.jobId,
      vendorId: job.vendorId,
      status: end.status,
      counts: end.tally.counts,
    });
    return finished;
  }

  async #afterFinish(job: JobItem): Promise<void> {
    await this.#deps.store.releaseVendorLock(job.vendorId, job.jobId);
    await this.#notify(job);
  }

  async #notify(job: JobItem): Promise<void> {
    try {
      await this.#deps.notifier.jobFinished(jobNotification(job));
    } catch (error) {
      // The job's state is the source of truth; a lost notification must not undo or fail it.
      this.#log.error("job notification not published", { jobId: job.jobId, error: String(error) });
    }
  }
}
