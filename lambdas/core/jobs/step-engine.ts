/**
 * The step engine of scheduled and on-demand sync jobs: runs one step of a job per queue message. A
 * step claims the job (conditional write on its `step`), runs the vendor's connector step (a pull,
 * `pull-step.ts`, or a file drop, `file-drop-step.ts`) from where the job left off, and either ends
 * the job or checkpoints into it and continues in a follow-up message — near the deadline, after
 * `maxPagesPerInvocation`, on a rate limit too long to wait out or a vendor outage: a hand-over, not a
 * failure. Transport (SQS batches, retries, the dead-letter queue) is the caller's
 * (`lambdas/pull-vendor`, and the sandbox's queue driver).
 */
import { ConcurrentUpdateError } from "../errors.ts";
import type { QueueSender } from "../ports.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { type FileDrops, runFileDropStep } from "./file-drop-step.ts";
import type { JobItem } from "./job.ts";
import { type SyncMessage, syncMessage } from "./messages.ts";
import { type PullStepDeps, runPullStep } from "./pull-step.ts";
import type { StepEnd, StepRun } from "./step.ts";

/** What the step engine needs: the pull step's needs, plus vendors, the queue and file drops. */
export interface StepEngineDeps extends Omit<PullStepDeps, "now" | "random"> {
  readonly vendors: { get(vendorId: string): VendorConfig; has(vendorId: string): boolean };
  /** The sync queue itself, for follow-up messages. */
  readonly queue: QueueSender;
  /** Where the file-drop connector reads, for vendors with `channels.fileDrop`. */
  readonly fileDrops?: FileDrops;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
  /** Time kept free before the invocation's deadline for the hand-over itself, ms. @default 20000 */
  readonly safetyMarginMs?: number;
  /** Remaining time when the caller gives none (tests, the sandbox), ms. @default 300000 */
  readonly defaultRemainingMs?: number;
}

/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;
/** How long a claimed step's lease outlives the invocation, ms. */
const LEASE_AFTER_MS = 60_000;

/** Runs job steps; one engine per execution environment. */
export class StepEngine {
  readonly #deps: StepEngineDeps;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(deps: StepEngineDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /**
   * Runs step `message.step` of its job: a duplicate or stale message is dropped (a lost follow-up is
   * sent again); a cancelled job or one whose vendor is gone is ended; otherwise the connector's step
   * runs and the job ends or continues in a follow-up message.
   * @param remainingMs - time the invocation has left, ms (a Lambda context's). @default `defaultRemainingMs`
   * @param attempt - set `claimed` once this call holds the step's lease (so a failure gives it back).
   * @throws what the store, the connector or the write path throw retryably: the message is retried.
   */
  async run(message: SyncMessage, remainingMs: number | undefined, attempt: { claimed: boolean }): Promise<void> {
    const deps = this.#deps;
    const started = this.#now();
    const remaining = remainingMs ?? deps.defaultRemainingMs ?? 300_000;
    const deadline = started + remaining - (deps.safetyMarginMs ?? 20_000);
    const leaseFor = () => Math.max(this.#now(), started + remaining) + LEASE_AFTER_MS;
    const claim = await deps.store.claimStep(message.jobId, message.step, started, leaseFor());
    if (claim.kind === "leased") {
      // A duplicate delivery while another worker runs this step. Dropping it is safe: should that
      // worker die, SQS delivers its message again once the visibility timeout (6× the function's) ends,
      // after the lease has run out.
      deps.log.info("duplicate sync message dropped: the step is running elsewhere", {
        jobId: message.jobId,
        step: message.step,
      });
      return;
    }
    if (claim.kind === "not-current") return this.#stale(message, claim.job);
    attempt.claimed = true;
    const job = claim.job;
    if (await this.#endedBeforeStart(job, message)) return;
    const vendor = deps.vendors.get(job.vendorId);
    const run: StepRun = { message, job, vendor, deadline, leaseFor };
    const end = vendor.channels.fileDrop ? await this.#fileDrop(run) : await this.#pull(run);
    if (end.kind === "continue") await this.#handOver(job, message, end);
  }

  /**
   * After a failed attempt that held the step: gives its lease back, so the retry can claim it at once.
   * Only this attempt's own lease is given back (`claimed`).
   */
  async release(message: SyncMessage): Promise<void> {
    await this.#deps.store.releaseStep(message.jobId, message.step);
  }

  /**
   * The message was given up on (dead-lettered): fails the job if it still waits for this step, so it
   * does not hang until the watchdog. Errors are logged, not thrown.
   */
  async abandon(message: SyncMessage, reason: string): Promise<void> {
    const job = await this.#deps.store.getJob(message.jobId);
    if (!job || job.step !== message.step || (job.status !== "QUEUED" && job.status !== "RUNNING")) return;
    await this.#deps.jobs
      .finish(job, {
        status: "FAILED",
        tally: { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
        errorSummary: reason,
        guard: { step: message.step },
      })
      .catch((finishError: unknown) =>
        this.#deps.log.error("could not fail the job", { jobId: message.jobId, error: String(finishError) }),
      );
  }

  /** The job does not wait for this step: drops the message (sending a lost follow-up again). */
  async #stale(message: SyncMessage, job: JobItem | undefined): Promise<void> {
    if (
      job?.status === "RUNNING" &&
      job.step === message.step + 1 &&
      job.leaseUntil === undefined &&
      job.handoff === undefined
    ) {
      // This step handed over, but its follow-up may have been lost before it was sent: send it again
      // (a duplicate is harmless: steps are claimed once).
      await this.#deps.queue.send({
        body: syncMessage(job.jobId, job.vendorId, job.step),
        attributes: { vendorId: job.vendorId, kind: "sync", jobId: job.jobId },
      });
    }
    this.#deps.log.info("stale sync message dropped", {
      jobId: message.jobId,
      step: message.step,
      status: job?.status,
      currentStep: job?.step,
    });
  }

  /** Ends a claimed job an admin cancelled, or whose vendor is no longer configured. @returns whether it did. */
  async #endedBeforeStart(job: JobItem, message: SyncMessage): Promise<boolean> {
    if (job.cancelRequestedAt !== undefined) {
      await this.#deps.jobs.finish(job, {
        status: "CANCELLED",
        tally: job.stepBase ?? { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
        errorSummary: "cancelled by an admin",
        guard: { step: message.step },
      });
      return true;
    }
    if (!this.#deps.vendors.has(job.vendorId)) {
      await this.#deps.jobs.finish(job, {
        status: "FAILED",
        tally: { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
        errorSummary: `vendor ${job.vendorId} is no longer configured`,
        guard: { step: message.step },
      });
      return true;
    }
    return false;
  }

  #pull(run: StepRun): Promise<StepEnd> {
    return runPullStep({ ...this.#deps, now: this.#now, random: this.#random }, run);
  }

  #fileDrop(run: StepRun): Promise<StepEnd> {
    const deps = this.#deps;
    return runFileDropStep(
      {
        store: deps.store,
        jobs: deps.jobs,
        interpreter: deps.interpreter,
        drops: deps.fileDrops,
        objects: deps.objects,
        ...(deps.batch ? { batch: deps.batch } : {}),
        now: this.#now,
        log: deps.log,
      },
      run,
    );
  }

  /** Makes the next step current with the step's checkpoint and sends its follow-up message. */
  async #handOver(job: JobItem, message: SyncMessage, end: Extract<StepEnd, { kind: "continue" }>): Promise<void> {
    const deps = this.#deps;
    try {
      await deps.store.handOver(job.jobId, message.step, {
        resumeState: JSON.stringify(end.resume),
        base: { counts: end.tally.counts, rowsRead: end.tally.rowsRead, pagesFetched: end.tally.pagesFetched },
        heartbeatAt: this.#now(),
      });
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      deps.log.warn("job ended while its step ran; no follow-up", { jobId: job.jobId, step: message.step });
      return;
    }
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(end.delayMs / 1000));
    const next = message.step + 1;
    await deps.queue.send({
      body: syncMessage(job.jobId, job.vendorId, next),
      attributes: { vendorId: job.vendorId, kind: "sync", jobId: job.jobId },
      ...(delaySeconds > 0 ? { delaySeconds } : {}),
    });
    const reason = end.note ?? "continuing";
    deps.onEvent?.({ kind: "hand-over", jobId: job.jobId, vendorId: job.vendorId, step: next, delaySeconds, reason });
    deps.log.info("sync job continues in a follow-up message", {
      jobId: job.jobId,
      vendorId: job.vendorId,
      step: next,
      delaySeconds,
      note: end.note,
    });
  }
}
