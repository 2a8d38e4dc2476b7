/**
 * The batch runs of this sandbox process, by job: the sandbox's stand-ins for an execution's status
 * and for StopExecution. Each run is owned by this process's data-directory session (`JobItem.owner`),
 * so the next process on the directory knows a run it finds unfinished has no runner left.
 */
import type { DynamoRecordStore } from "../lambdas/adapters/dynamodb/record-store.ts";
import type { DynamoSyncStore } from "../lambdas/adapters/dynamodb/sync-store.ts";
import { type EarlyEnding, type EndedEarly, endBatchJobEarly } from "../lambdas/core/batch/ended-early.ts";
import { ownBatchJob } from "../lambdas/core/batch/jobs.ts";
import { jobKeys } from "../lambdas/core/batch/layout.ts";
import type { BatchExecutionInput } from "../lambdas/core/batch/model.ts";
import { findOrphanedJobs, interruptedEnding, isBatchRun } from "../lambdas/core/jobs/interrupted.ts";
import type { JobItem, JobNotification } from "../lambdas/core/jobs/job.ts";
import type { BatchExecutionControl, JobNotifier } from "../lambdas/core/jobs/ports.ts";
import type { VendorLookup } from "../lambdas/core/jobs/sync-jobs.ts";
import type { Log } from "../lambdas/core/ports.ts";
import type { FileObjectStore } from "./file-object-store.ts";

/** A batch run stopped by an admin's cancel (the local StopExecution). */
export class BatchRunStoppedError extends Error {
  constructor(jobId: string, cause: string) {
    super(`batch run of job ${jobId} stopped: ${cause}`);
    this.name = "BatchRunStoppedError";
  }
}

export interface LocalBatchRunsDeps {
  /** This process's owner id: `sandbox:<session>` of its data-directory ownership. */
  readonly owner: string;
  readonly sync: DynamoSyncStore;
  readonly records: DynamoRecordStore;
  /** The imports bucket's stand-in, where batch runs keep their working files. */
  readonly bucket: FileObjectStore;
  /** Publishes the end of a handed-over job (an import's end is printed by the CLI instead). */
  readonly notifier: JobNotifier;
  readonly log: Log;
  readonly now?: () => number;
}

/** How a run went: its own result, or how the job ended when a cancel stopped it. */
export type BatchRunOutcome<T> =
  | { readonly kind: "ran"; readonly result: T }
  | { readonly kind: "stopped"; readonly ended: EndedEarly };

interface Run {
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

/** The in-process batch runs: owning, stopping and ending them (see the module comment). */
export class LocalBatchRuns implements BatchExecutionControl {
  readonly owner: string;
  readonly #deps: LocalBatchRunsDeps;
  readonly #runs = new Map<string, Run>();

  constructor(deps: LocalBatchRunsDeps) {
    this.#deps = deps;
    this.owner = deps.owner;
  }

  /**
   * Runs a batch job in this process: records this process as its owner first, then calls `run`
   * with a signal that a cancel aborts. A stopped run ends the job CANCELLED with its counts so far.
   *
   * @returns what `run` returned, or how the stopped job ended.
   * @throws {JobFinishedError} when the job has already ended.
   */
  async run<T>(input: BatchExecutionInput, run: (signal: AbortSignal) => Promise<T>): Promise<BatchRunOutcome<T>> {
    await ownBatchJob(input, this.#deps.sync, this.owner, this.#now());
    const controller = new AbortController();
    const whole = this.#drive(input.jobId, controller, run);
    this.#runs.set(input.jobId, { controller, done: whole.catch(() => {}) });
    try {
      return await whole;
    } finally {
      this.#runs.delete(input.jobId);
    }
  }

  async #drive<T>(
    jobId: string,
    controller: AbortController,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<BatchRunOutcome<T>> {
    try {
      return { kind: "ran", result: await run(controller.signal) };
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      const job = await this.#deps.sync.getJob(jobId);
      if (!job) throw error;
      const cause = error instanceof Error ? error.message : String(error);
      return { kind: "stopped", ended: await this.endEarly(job, { status: "CANCELLED", reason: cause }) };
    }
  }

  /**
   * The local StopExecution: stops the job's run and waits until it has ended the job CANCELLED; a
   * batch run no process runs any more (this process owns the data directory) is ended at once.
   */
  async stop(job: JobItem, cause: string): Promise<void> {
    const run = this.#runs.get(job.jobId);
    if (run) {
      // The run ends the job CANCELLED itself once its running tasks have finished.
      run.controller.abort(new BatchRunStoppedError(job.jobId, cause));
      await run.done;
      return;
    }
    if (isBatchRun(job)) await this.endEarly(job, { status: "CANCELLED", reason: cause });
  }

  /**
   * Ends a job whose run will not commit: counts so far, rejects kept, vendor freed (endBatchJobEarly),
   * then its working files removed (on AWS lifecycle rules expire them) and a handed-over job's end
   * published.
   */
  async endEarly(job: JobItem, ending: EarlyEnding): Promise<EndedEarly> {
    const { sync, records, bucket } = this.#deps;
    const ended = await endBatchJobEarly(job, ending, { store: bucket, jobs: sync, records, now: () => this.#now() });
    for (const prefix of jobKeys(job.vendorId, job.jobId).workPrefixes) await bucket.removePrefix(prefix);
    if (ended.ended && job.handoff !== undefined) {
      const message = JSON.parse(ended.notification.message) as JobNotification["message"];
      await this.#deps.notifier.jobFinished({
        message,
        attributes: { vendorId: job.vendorId, status: message.status, workflow: message.workflow },
      });
    }
    return ended;
  }

  /**
   * Ends every batch run that lost its runner: a job owned by an earlier session of the data
   * directory (its process stopped: killed, crashed, closed), or a batch run without an owner, FAILED
   * as interrupted (CANCELLED when a cancel had been asked for). Called when a process takes the
   * data directory, before it runs anything.
   * @returns the jobs ended.
   */
  async endInterrupted(vendors: VendorLookup): Promise<JobItem[]> {
    const orphaned = await findOrphanedJobs(
      {
        store: this.#deps.sync,
        vendors,
        isAlive: (job) => (job.owner === undefined ? !isBatchRun(job) : job.owner === this.owner),
      },
      { since: this.#now() - 30 * 86_400_000 },
    );
    for (const job of orphaned) {
      const ending = interruptedEnding(job, { kind: "runner-stopped" });
      const { counts } = await this.endEarly(job, ending);
      this.#deps.log.warn("interrupted job ended", {
        jobId: job.jobId,
        vendorId: job.vendorId,
        status: ending.status,
        counts,
      });
    }
    return orphaned;
  }

  #now(): number {
    return this.#deps.now?.() ?? Date.now();
  }
}
