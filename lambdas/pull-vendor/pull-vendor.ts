/**
 * pull-vendor — the standard-priority queue's consumer: runs one step of a scheduled or on-demand sync
 * job per message. A step claims the job (conditional write on its `step`), pages through the vendor
 * API with the connector from where the job left off, writes each page through the shared write path
 * (or decides it only, for a dry run), and keeps the job's live counts and heartbeat current. Near the
 * Lambda deadline, after `maxPagesPerInvocation`, on a rate limit too long to wait out or a vendor
 * outage it checkpoints into the job and continues in a follow-up message — a hand-over, not a
 * failure. A run that grows past `batchHandoffRecords` stages the rest as JSON Lines and hands it to
 * the batch workflow, once. Cancel requests are seen between pages.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as v from "valibot";
import type { PullCheckpoint } from "../adapters/vendor-http/checkpoint.ts";
import type { PullOptions, PullResult } from "../adapters/vendor-http/connector.ts";
import { VendorUnavailableError } from "../adapters/vendor-http/errors.ts";
import type { Change, ChangeInput } from "../core/change.ts";
import { changeContext, intake } from "../core/changes/context.ts";
import type { ChangeApplier, ChangeInterpreter } from "../core/changes/interpreter.ts";
import { type ChangeResult, type RejectEntry, refusedRow } from "../core/changes/results.ts";
import { Tally, type TallyState } from "../core/changes/tally.ts";
import { ConcurrentUpdateError, SystemError, ValidationError } from "../core/errors.ts";
import { isDryRun, type JobItem, jobMode } from "../core/jobs/job.ts";
import {
  HANDOFF_FORMAT,
  type HandoffManifest,
  handoffManifestKey,
  handoffPartKey,
  type SyncMessage,
  SyncMessageSchema,
  syncMessage,
} from "../core/jobs/messages.ts";
import type { BatchStarter, StepStore } from "../core/jobs/ports.ts";
import type { SyncJobs } from "../core/jobs/sync-jobs.ts";
import { type OutcomeCounts, statusFromCounts } from "../core/outcomes.ts";
import type { Log, MessageControl, ObjectStore, QueueSender } from "../core/ports.ts";
import { mapPullRecords } from "../core/pull/index.ts";
import { decideRetry, type RetryPolicy } from "../core/realtime/retry-policy.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import { type FileDropDeps, runFileDrop } from "./file-drop.ts";

/** The connector as the worker uses it (`VendorHttpConnector`). */
export interface PullConnector {
  pull(checkpoint: PullCheckpoint | undefined, options: PullOptions): Promise<PullResult>;
}

export interface PullVendorDeps {
  readonly vendors: { get(vendorId: string): VendorConfig; has(vendorId: string): boolean };
  readonly store: StepStore;
  /** Finishes jobs (status, freshness, watermark, lock, notification). */
  readonly jobs: Pick<SyncJobs, "finish">;
  /** The standard queue itself, for follow-up messages. */
  readonly queue: QueueSender;
  readonly control: MessageControl;
  /** The change interpreter: live mode for syncs, a dry-run session for dry runs. */
  readonly interpreter: Pick<ChangeInterpreter, "writeBatch" | "dryRun">;
  /** The vendor's connector (create one per vendor and reuse it). */
  readonly connectorFor: (vendor: VendorConfig) => PullConnector;
  /** Staged parts of large pulls (`pulls/…`) and rejects (`rejects/…`): the archive bucket. */
  readonly objects: ObjectStore;
  /** The batch workflow. Without it every pull is applied by the worker, however large. */
  readonly batch?: BatchStarter;
  /** Receives every page's results (metrics). */
  readonly onResults?: (results: readonly ChangeResult[]) => void;
  /** Told about each page taken and each hand-over (the sandbox's event log, the demo). */
  readonly onEvent?: (event: PullEvent) => void;
  /** The file-drop connector's sources, for vendors with `channels.fileDrop`. */
  readonly fileDrops?: FileDropDeps["sources"];
  readonly log: Log;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
  readonly retry?: RetryPolicy;
  /** Time kept free before the function's deadline for the hand-over itself, ms. @default 20000 */
  readonly safetyMarginMs?: number;
  /** Remaining time when no Lambda context is given (tests, the sandbox), ms. @default 300000 */
  readonly defaultRemainingMs?: number;
}

/** What the worker tells `onEvent`. */
export type PullEvent =
  | {
      readonly kind: "page";
      readonly jobId: string;
      readonly vendorId: string;
      readonly step: number;
      /** Page number within the run. */
      readonly page: number;
      readonly records: number;
      /** The job's totals after this page. */
      readonly rowsRead: number;
      readonly counts: OutcomeCounts;
      /** Whether the page was staged for the batch workflow instead of written. */
      readonly staged: boolean;
    }
  | {
      readonly kind: "hand-over";
      readonly jobId: string;
      readonly vendorId: string;
      /** The follow-up's step. */
      readonly step: number;
      readonly delaySeconds: number;
      readonly reason: string;
    };

/** Where a pull step resumes (the job's `resumeState`). */
interface PullResume {
  readonly kind: "pull";
  /** The connector's position after the last page taken; absent before the first page. */
  readonly checkpoint?: PullCheckpoint;
  /** Once the run outgrew `batchHandoffRecords`: the parts staged so far. */
  readonly staged?: { readonly parts: HandoffManifest["parts"]; readonly changes: number };
  readonly newestSourceTs?: number;
  /** Consecutive hand-overs after a failure (vendor outage, failed writes); reset by a page taken. */
  readonly attempts?: number;
  /** Whether rejects were kept. */
  readonly rejects?: boolean;
}

/** What a step's run ends with: the job finished (or was given up on), or it continues in a follow-up message. */
export type StepEnd =
  | { readonly kind: "done" }
  | {
      readonly kind: "continue";
      /** The job's next `resumeState` (JSON-serialisable). */
      readonly resume: object;
      /** Counts the next step starts from. */
      readonly tally: TallyState;
      /** How long the follow-up waits (a rate limit's Retry-After, a backoff), ms. */
      readonly delayMs: number;
      /** Why, for the log. */
      readonly note?: string;
    };

/** Thrown from `onPage` to stop the connector. */
class StopPull extends Error {
  constructor(readonly why: "cancel" | "lost" | "retry-page") {
    super(why);
    this.name = "StopPull";
  }
}

/** SQS's longest message delay. */
const MAX_DELAY_SECONDS = 900;
/** Changes per write-path call (one BatchGetItem). */
const BATCH = 100;

/** Builds the pull worker: `(event, context) => { batchItemFailures }`. */
export function makeHandler(deps: PullVendorDeps) {
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const margin = deps.safetyMarginMs ?? 20_000;

  async function keepRejects(job: JobItem, page: number, entries: readonly RejectEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await deps.objects.writeText(
      `${rejectsPrefix(job)}page-${String(page).padStart(6, "0")}.jsonl`,
      `${entries.map((entry) => JSON.stringify(entry)).join("\n")}\n`,
    );
  }

  /** Validates mapped inputs into changes, counting and keeping the ones refused. */
  function toChanges(
    job: JobItem,
    vendor: VendorConfig,
    inputs: readonly ChangeInput[],
    tally: Tally,
    rejects: RejectEntry[],
  ): Change[] {
    const context = changeContext(vendor, {
      workflow: job.workflow,
      jobId: job.jobId,
      source: "vendor:pull",
      asOf: job.startedAt ?? job.createdAt,
    });
    const changes: Change[] = [];
    for (const item of intake(inputs, context)) {
      if ("refused" in item) rejects.push(...tally.add([item.refused]));
      else changes.push(item.change);
    }
    return changes;
  }

  /** Writes (or, for a dry run, decides) changes; counts results. @returns results that failed retryably. */
  async function apply(applier: ChangeApplier, changes: readonly Change[], tally: Tally, rejects: RejectEntry[]) {
    const retryable: ChangeResult[] = [];
    for (let start = 0; start < changes.length; start += BATCH) {
      const batch = changes.slice(start, start + BATCH);
      const results = await applier.writeBatch(batch);
      deps.onResults?.(results);
      rejects.push(...tally.add(results));
      retryable.push(...results.filter((result) => result.outcome === "failed" && result.retryable));
    }
    return retryable;
  }

  async function runPull(
    message: SyncMessage,
    job: JobItem,
    vendor: VendorConfig,
    deadline: number,
    leaseFor: () => number,
  ): Promise<StepEnd> {
    const channel = vendor.channels.pull;
    if (!channel) throw new ValidationError(`vendor ${vendor.id} has no pull channel`, { field: "channels.pull" });
    const resume: PullResume = job.resumeState ? (JSON.parse(job.resumeState) as PullResume) : { kind: "pull" };
    const tally = new Tally({
      ...job.stepBase,
      ...(resume.newestSourceTs === undefined ? {} : { newestSourceTs: resume.newestSourceTs }),
    });
    /** What the last fully taken page left behind: a hand-over resumes from here. */
    let committed = { tally: tally.snapshot(), resume };
    const applier: ChangeApplier = isDryRun(job) ? deps.interpreter.dryRun() : deps.interpreter;
    const watermark =
      resume.checkpoint === undefined && jobMode(job) === "incremental" && channel.incremental
        ? (await deps.store.getVendorState(vendor.id)).pullWatermark
        : undefined;
    const dryRun = isDryRun(job);
    const canHandOff = deps.batch !== undefined;

    const continueFrom = (state: PullResume, t: TallyState, delayMs: number, note?: string): StepEnd => ({
      kind: "continue",
      resume: { ...state, ...(t.newestSourceTs === undefined ? {} : { newestSourceTs: t.newestSourceTs }) },
      tally: t,
      delayMs,
      ...(note === undefined ? {} : { note }),
    });

    const onPage: PullOptions["onPage"] = async (page) => {
      const rejects: RejectEntry[] = [];
      const mapped = mapPullRecords(channel.format, page.records, {
        currency: vendor.defaultCurrency,
        locale: channel.locale,
        timeZone: vendor.timeZone,
      });
      for (const reject of mapped.rejects) rejects.push(...tally.add([refusedRow(vendor.id, reject)]));
      let staged = committed.resume.staged;
      const stage =
        staged !== undefined || (canHandOff && tally.rowsRead + page.records.length > channel.batchHandoffRecords);
      if (stage) {
        // A large run: this and every later page go to the batch workflow as canonical JSON Lines.
        const firstLine = (staged?.changes ?? 0) + 1;
        const key = handoffPartKey(vendor.id, job.jobId, page.pageNumber);
        const lines = mapped.changes.map((input, i) => JSON.stringify({ ...input, line: firstLine + i }));
        await deps.objects.writeText(key, lines.length > 0 ? `${lines.join("\n")}\n` : "");
        staged = {
          parts: [...(staged?.parts ?? []), { key, changes: lines.length, firstLine }],
          changes: (staged?.changes ?? 0) + lines.length,
        };
      } else {
        const changes = toChanges(job, vendor, mapped.changes, tally, rejects);
        const failed = await apply(applier, changes, tally, rejects);
        if (failed.length > 0 && (committed.resume.attempts ?? 0) < vendor.maxRetries) {
          // Written changes are unchanged on the retry: the page is safe to take again, later.
          throw new StopPull("retry-page");
        }
      }
      tally.rowsRead += page.records.length;
      tally.pagesFetched += 1;
      await keepRejects(job, page.pageNumber, rejects);
      const nextResume: PullResume = {
        kind: "pull",
        ...(page.checkpoint
          ? { checkpoint: page.checkpoint }
          : committed.resume.checkpoint
            ? { checkpoint: committed.resume.checkpoint }
            : {}),
        ...(staged ? { staged } : {}),
        ...(committed.resume.rejects || rejects.length > 0 ? { rejects: true } : {}),
        attempts: 0,
      };
      committed = { tally: tally.snapshot(), resume: nextResume };
      const reported = await deps.store.reportStep(job.jobId, message.step, {
        counts: tally.counts,
        rowsRead: tally.rowsRead,
        pagesFetched: tally.pagesFetched,
        heartbeatAt: now(),
        leaseUntil: leaseFor(),
      });
      deps.onEvent?.({
        kind: "page",
        jobId: job.jobId,
        vendorId: vendor.id,
        step: message.step,
        page: page.pageNumber,
        records: page.records.length,
        rowsRead: tally.rowsRead,
        counts: { ...tally.counts },
        staged: stage,
      });
      if (reported === "cancel-requested") throw new StopPull("cancel");
      if (reported === "lost") throw new StopPull("lost");
    };

    let result: PullResult;
    try {
      result = await deps.connectorFor(vendor).pull(resume.checkpoint, {
        deadline,
        ...(watermark === undefined ? {} : { watermark }),
        onPage,
      });
    } catch (error) {
      if (error instanceof StopPull) {
        if (error.why === "lost") {
          deps.log.warn("job moved on without this worker; stopping", { jobId: job.jobId, step: message.step });
          return { kind: "done" };
        }
        if (error.why === "cancel") {
          await deps.jobs.finish(job, {
            status: "CANCELLED",
            tally: committed.tally,
            errorSummary: "cancelled by an admin while running",
            guard: { step: message.step },
          });
          return { kind: "done" };
        }
        const attempts = (committed.resume.attempts ?? 0) + 1;
        return continueFrom(
          { ...committed.resume, attempts },
          committed.tally,
          backoffMs(attempts, random),
          "some changes of a page failed to write; the page is taken again",
        );
      }
      if (error instanceof VendorUnavailableError) {
        const attempts = (committed.resume.attempts ?? 0) + 1;
        if (attempts > vendor.maxRetries) {
          await finishFailed(
            job,
            message.step,
            committed.tally,
            `vendor unavailable after ${attempts} hand-overs: ${error.message}`,
          );
          return { kind: "done" };
        }
        return continueFrom(
          { ...committed.resume, checkpoint: error.checkpoint, attempts },
          committed.tally,
          error.retryAfterMs ?? backoffMs(attempts, random),
          `vendor unavailable: ${error.message}`,
        );
      }
      if (error instanceof ValidationError) {
        // Credentials, config, a paging loop, a body that is not what the config says: no retry fixes it.
        await finishFailed(job, message.step, committed.tally, error.message);
        return { kind: "done" };
      }
      throw error;
    }

    if (result.status === "partial") {
      return continueFrom(
        { ...committed.resume, checkpoint: result.checkpoint },
        tally.snapshot(),
        result.retryAfterMs ?? 0,
        `handing over: ${result.reason}`,
      );
    }
    const nextWatermark = channel.incremental && !dryRun ? result.watermark : undefined;
    const staged = committed.resume.staged;
    if (staged && deps.batch) {
      await handOff(job, message.step, vendor, tally.snapshot(), staged, result.watermark, nextWatermark);
      return { kind: "done" };
    }
    await deps.jobs.finish(job, {
      status: statusFromCounts(tally.counts),
      tally: tally.snapshot(),
      ...(committed.resume.rejects ? { rejectsFile: rejectsPrefix(job) } : {}),
      ...(nextWatermark === undefined ? {} : { watermark: { pullWatermark: nextWatermark } }),
      guard: { step: message.step },
    });
    return { kind: "done" };
  }

  async function handOff(
    job: JobItem,
    step: number,
    vendor: VendorConfig,
    tally: TallyState,
    staged: NonNullable<PullResume["staged"]>,
    asOf: number,
    watermark: number | undefined,
  ): Promise<void> {
    const manifestKey = handoffManifestKey(vendor.id, job.jobId);
    const manifest: HandoffManifest = {
      format: HANDOFF_FORMAT,
      version: 1,
      jobId: job.jobId,
      vendorId: vendor.id,
      asOf,
      parts: staged.parts,
      changes: staged.changes,
    };
    await deps.objects.writeText(manifestKey, JSON.stringify(manifest));
    // Started by name (the job id): a redelivered message finds the same execution, never a second one.
    const { executionId } = await (deps.batch as BatchStarter).start({
      jobId: job.jobId,
      vendorId: vendor.id,
      trigger: job.trigger,
      dryRun: isDryRun(job),
      input: { kind: "pull-manifest", manifestKey },
      baseCounts: tally.counts,
      rowsRead: tally.rowsRead,
      ...(watermark === undefined ? {} : { watermark: { pullWatermark: watermark } }),
    });
    const first = await deps.store.recordHandoff(
      job.jobId,
      step,
      { input: manifestKey, executionId, changes: staged.changes, at: now() },
      { counts: tally.counts, rowsRead: tally.rowsRead, pagesFetched: tally.pagesFetched },
    );
    deps.log.info("large pull handed to the batch workflow", {
      jobId: job.jobId,
      vendorId: vendor.id,
      executionId,
      changes: staged.changes,
      redelivery: !first,
    });
  }

  async function finishFailed(job: JobItem, step: number, tally: TallyState, reason: string): Promise<void> {
    await deps.jobs.finish(job, { status: "FAILED", tally, errorSummary: reason, guard: { step } });
  }

  async function runStep(
    message: SyncMessage,
    context: Context | undefined,
    attempt: { claimed: boolean },
  ): Promise<void> {
    const started = now();
    const remaining = context?.getRemainingTimeInMillis() ?? deps.defaultRemainingMs ?? 300_000;
    const deadline = started + remaining - margin;
    const leaseFor = () => Math.max(now(), started + remaining) + 60_000;
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
    if (claim.kind === "not-current") {
      const job = claim.job;
      if (
        job?.status === "RUNNING" &&
        job.step === message.step + 1 &&
        job.leaseUntil === undefined &&
        job.handoff === undefined
      ) {
        // This step handed over, but its follow-up may have been lost before it was sent: send it again
        // (a duplicate is harmless: steps are claimed once).
        await deps.queue.send({
          body: syncMessage(job.jobId, job.vendorId, job.step),
          attributes: { vendorId: job.vendorId, kind: "sync", jobId: job.jobId },
        });
      }
      deps.log.info("stale sync message dropped", {
        jobId: message.jobId,
        step: message.step,
        status: job?.status,
        currentStep: job?.step,
      });
      return;
    }
    attempt.claimed = true;
    const job = claim.job;
    if (job.cancelRequestedAt !== undefined) {
      await deps.jobs.finish(job, {
        status: "CANCELLED",
        tally: job.stepBase ?? { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
        errorSummary: "cancelled by an admin",
        guard: { step: message.step },
      });
      return;
    }
    if (!deps.vendors.has(job.vendorId)) {
      await deps.jobs.finish(job, {
        status: "FAILED",
        tally: { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
        errorSummary: `vendor ${job.vendorId} is no longer configured`,
        guard: { step: message.step },
      });
      return;
    }
    const vendor = deps.vendors.get(job.vendorId);
    const end = vendor.channels.fileDrop
      ? await runFileDrop(
          {
            store: deps.store,
            jobs: deps.jobs,
            interpreter: deps.interpreter,
            sources: deps.fileDrops,
            objects: deps.objects,
            ...(deps.batch ? { batch: deps.batch } : {}),
            now,
            log: deps.log,
          },
          { message, job, vendor, deadline, leaseFor },
        )
      : await runPull(message, job, vendor, deadline, leaseFor);
    if (end.kind === "done") return;
    try {
      await deps.store.handOver(job.jobId, message.step, {
        resumeState: JSON.stringify(end.resume),
        base: { counts: end.tally.counts, rowsRead: end.tally.rowsRead, pagesFetched: end.tally.pagesFetched },
        heartbeatAt: now(),
      });
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      deps.log.warn("job ended while its step ran; no follow-up", { jobId: job.jobId, step: message.step });
      return;
    }
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.ceil(end.delayMs / 1000));
    await deps.queue.send({
      body: syncMessage(job.jobId, job.vendorId, message.step + 1),
      attributes: { vendorId: job.vendorId, kind: "sync", jobId: job.jobId },
      ...(delaySeconds > 0 ? { delaySeconds } : {}),
    });
    deps.onEvent?.({
      kind: "hand-over",
      jobId: job.jobId,
      vendorId: job.vendorId,
      step: message.step + 1,
      delaySeconds,
      reason: end.note ?? "continuing",
    });
    deps.log.info("sync job continues in a follow-up message", {
      jobId: job.jobId,
      vendorId: job.vendorId,
      step: message.step + 1,
      delaySeconds,
      note: end.note,
    });
  }

  async function retryOrDeadLetter(
    record: SQSRecord,
    message: SyncMessage | undefined,
    error: unknown,
    claimed = false,
  ) {
    const vendor = message && deps.vendors.has(message.vendorId) ? deps.vendors.get(message.vendorId) : undefined;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? "1");
    const decision = decideRetry(receiveCount, vendor?.maxRetries ?? 3, random, deps.retry);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // Only this invocation's own lease is given back, so the retry can claim the step at once.
    if (message && claimed) await deps.store.releaseStep(message.jobId, message.step);
    if (decision.action === "dead-letter") {
      deps.log.error("giving up on sync message", { jobId: message?.jobId, receiveCount, reason });
      await deps.control.deadLetter(
        {
          receiptHandle: record.receiptHandle,
          body: record.body,
          attributes: { ...(message ? { vendorId: message.vendorId, jobId: message.jobId } : {}), kind: "sync" },
        },
        `${decision.reason}: ${reason}`,
      );
      if (message && claimed) {
        const job = await deps.store.getJob(message.jobId);
        if (job && job.step === message.step && (job.status === "QUEUED" || job.status === "RUNNING")) {
          await deps.jobs
            .finish(job, {
              status: "FAILED",
              tally: { counts: job.counts, rowsRead: job.rowsRead, pagesFetched: job.pagesFetched ?? 0 },
              errorSummary: `${decision.reason}: ${reason}`,
              guard: { step: message.step },
            })
            .catch((finishError: unknown) =>
              deps.log.error("could not fail the job", { jobId: message.jobId, error: String(finishError) }),
            );
        }
      }
      return;
    }
    deps.log.warn("sync message will be retried", {
      jobId: message?.jobId,
      receiveCount,
      delaySeconds: decision.delaySeconds,
      reason,
    });
    await deps.control.changeVisibility(record.receiptHandle, decision.delaySeconds).catch(() => {});
    throw error;
  }

  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      let message: SyncMessage;
      try {
        const parsed = v.safeParse(SyncMessageSchema, JSON.parse(record.body));
        if (!parsed.success) {
          throw new SystemError(
            `invalid sync message: ${v.getDotPath(parsed.issues[0]) ?? "(root)"}: ${parsed.issues[0].message}`,
          );
        }
        message = parsed.output;
      } catch (error) {
        const failure =
          error instanceof SystemError ? error : new SystemError(`unreadable sync message: ${String(error)}`);
        return retryOrDeadLetter(record, undefined, failure);
      }
      const attempt = { claimed: false };
      try {
        await runStep(message, context, attempt);
      } catch (error) {
        return retryOrDeadLetter(record, message, error, attempt.claimed);
      }
    };
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, recordHandler, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    }) as Promise<SQSBatchResponse>;
  };
}

/** Full jitter, seconds-scale: uniform in [1 s, min(5 min, 2 s × 2^attempt)). */
function backoffMs(attempt: number, random: () => number): number {
  return Math.max(1000, Math.floor(random() * Math.min(300_000, 2000 * 2 ** attempt)));
}

/** @returns where a job's rejects are kept (one JSON Lines object per page with rejects). */
export function rejectsPrefix(job: Pick<JobItem, "vendorId" | "jobId">): string {
  return `rejects/${job.vendorId}/jobs/${job.jobId}/`;
}
