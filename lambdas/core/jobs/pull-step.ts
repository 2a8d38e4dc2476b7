/**
 * The pull step: pages through a vendor API with the connector from where the job left off, writes
 * each page through the shared write path (or decides it only, for a dry run), and keeps the job's
 * live counts and heartbeat current. A run that grows past `batchHandoffRecords` stages the rest as
 * JSON Lines and hands it to the batch workflow, once. Cancel requests are seen between pages.
 */
import type { Change } from "../change.ts";
import type { ChangeInput } from "../change-input.ts";
import { changeContext, intake } from "../changes/context.ts";
import type { ChangeInterpreter } from "../changes/interpreter.ts";
import type { ChangeApplier } from "../changes/ports.ts";
import { type ChangeResult, type RejectEntry, refusedRow } from "../changes/results.ts";
import { Tally, type TallyState } from "../changes/tally.ts";
import { ValidationError } from "../errors.ts";
import { statusFromCounts } from "../outcomes.ts";
import type { Log, ObjectStore } from "../ports.ts";
import { type PullConnector, type PulledPage, type PullResult, VendorUnavailableError } from "../pull/connector.ts";
import { mapPullRecords } from "../pull/index.ts";
import type { PullChannel } from "../pull/pull-config.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { isDryRun, jobMode } from "./job.ts";
import { HANDOFF_FORMAT, type HandoffManifest, handoffManifestKey, handoffPartKey } from "./messages.ts";
import type { BatchStarter, StepStore } from "./ports.ts";
import { type PullEvent, rejectsPrefix, type StepEnd, type StepRun } from "./step.ts";
import type { SyncJobs } from "./sync-jobs.ts";

/** What the pull step needs. */
export interface PullStepDeps {
  readonly store: StepStore;
  /** Finishes jobs (status, freshness, watermark, lock, notification). */
  readonly jobs: Pick<SyncJobs, "finish">;
  /** The change interpreter: live mode for syncs, a dry-run session for dry runs. */
  readonly interpreter: Pick<ChangeInterpreter, "writeBatch" | "dryRun">;
  /** The vendor's connector (create one per vendor and reuse it). */
  readonly connectorFor: (vendor: VendorConfig) => PullConnector;
  /** Staged parts of large pulls (`pulls/…`) and rejects (`rejects/…`): the archive bucket. */
  readonly objects: ObjectStore;
  /** The batch workflow. Without it every pull is applied by the step, however large. */
  readonly batch?: BatchStarter;
  /** Receives every page's results (metrics). */
  readonly onResults?: (results: readonly ChangeResult[]) => void;
  /** Told about each page taken. */
  readonly onEvent?: (event: PullEvent) => void;
  readonly log: Log;
  /** Epoch ms. */
  readonly now: () => number;
  /** Uniform [0, 1), for backoff jitter. */
  readonly random: () => number;
}

/** Where a pull step resumes (the job's `resumeState`). */
interface PullResume {
  readonly kind: "pull";
  /** The connector's position after the last page taken; absent before the first page. */
  readonly checkpoint?: unknown;
  /** Once the run outgrew `batchHandoffRecords`: the parts staged so far. */
  readonly staged?: Staged;
  readonly newestSourceTs?: number;
  /** Consecutive hand-overs after a failure (vendor outage, failed writes); reset by a page taken. */
  readonly attempts?: number;
  /** Whether rejects were kept. */
  readonly rejects?: boolean;
}

/** Parts of a large run staged for the batch workflow. */
interface Staged {
  readonly parts: HandoffManifest["parts"];
  readonly changes: number;
}

/** Thrown from `onPage` to stop the connector. */
class StopPull extends Error {
  constructor(readonly why: "cancel" | "lost" | "retry-page") {
    super(why);
    this.name = "StopPull";
  }
}

/** Changes per write-path call (one BatchGetItem). */
const BATCH = 100;

/** Full jitter, seconds-scale: uniform in [1 s, min(5 min, 2 s × 2^attempt)). */
function backoffMs(attempt: number, random: () => number): number {
  return Math.max(1000, Math.floor(random() * Math.min(300_000, 2000 * 2 ** attempt)));
}

/**
 * Runs one pull step of a job: pages from the job's checkpoint until the connector ends or hands over.
 * @throws {ValidationError} when the vendor has no pull channel; errors of the store and the write
 *   path propagate (the message is retried).
 */
export function runPullStep(deps: PullStepDeps, run: StepRun): Promise<StepEnd> {
  return new PullStep(deps, run).run();
}

/** One invocation's pull: the pages it takes, and what the last fully taken page left behind. */
class PullStep {
  readonly #deps: PullStepDeps;
  readonly #run: StepRun;
  readonly #channel: PullChannel;
  readonly #tally: Tally;
  readonly #applier: ChangeApplier;
  readonly #canHandOff: boolean;
  /** What the last fully taken page left behind: a hand-over resumes from here. */
  #committed: { tally: TallyState; resume: PullResume };

  constructor(deps: PullStepDeps, run: StepRun) {
    const channel = run.vendor.channels.pull;
    if (!channel) throw new ValidationError(`vendor ${run.vendor.id} has no pull channel`, { field: "channels.pull" });
    this.#deps = deps;
    this.#run = run;
    this.#channel = channel;
    const { job } = run;
    const resume: PullResume = job.resumeState ? (JSON.parse(job.resumeState) as PullResume) : { kind: "pull" };
    this.#tally = new Tally({
      ...job.stepBase,
      ...(resume.newestSourceTs === undefined ? {} : { newestSourceTs: resume.newestSourceTs }),
    });
    this.#committed = { tally: this.#tally.snapshot(), resume };
    this.#applier = isDryRun(job) ? deps.interpreter.dryRun() : deps.interpreter;
    this.#canHandOff = deps.batch !== undefined;
  }

  async run(): Promise<StepEnd> {
    const { job, vendor, deadline } = this.#run;
    const resume = this.#committed.resume;
    const watermark =
      resume.checkpoint === undefined && jobMode(job) === "incremental" && this.#channel.incremental
        ? (await this.#deps.store.getVendorState(vendor.id)).pullWatermark
        : undefined;
    let result: PullResult;
    try {
      result = await this.#deps.connectorFor(vendor).pull(resume.checkpoint, {
        deadline,
        ...(watermark === undefined ? {} : { watermark }),
        onPage: (page) => this.#takePage(page),
      });
    } catch (error) {
      return this.#stopped(error);
    }
    return this.#ended(result);
  }

  /** Takes one page: staged for the batch workflow, or mapped and written; then reported. */
  async #takePage(page: PulledPage): Promise<void> {
    const { job, vendor } = this.#run;
    const rejects: RejectEntry[] = [];
    const mapped = mapPullRecords(this.#channel.format, page.records, {
      currency: vendor.defaultCurrency,
      locale: this.#channel.locale,
      timeZone: vendor.timeZone,
    });
    for (const reject of mapped.rejects) rejects.push(...this.#tally.add([refusedRow(vendor.id, reject)]));
    let staged = this.#committed.resume.staged;
    const stage =
      staged !== undefined ||
      (this.#canHandOff && this.#tally.rowsRead + page.records.length > this.#channel.batchHandoffRecords);
    if (stage) staged = await this.#stage(page.pageNumber, mapped.changes, staged);
    else {
      const failed = await this.#write(this.#toChanges(mapped.changes, rejects), rejects);
      if (failed.length > 0 && (this.#committed.resume.attempts ?? 0) < vendor.maxRetries) {
        // Written changes are unchanged on the retry: the page is safe to take again, later.
        throw new StopPull("retry-page");
      }
    }
    this.#tally.rowsRead += page.records.length;
    this.#tally.pagesFetched += 1;
    await this.#keepRejects(page.pageNumber, rejects);
    const previous = this.#committed.resume;
    const checkpoint = page.checkpoint ?? previous.checkpoint;
    this.#committed = {
      tally: this.#tally.snapshot(),
      resume: {
        kind: "pull",
        ...(checkpoint ? { checkpoint } : {}),
        ...(staged ? { staged } : {}),
        ...(previous.rejects || rejects.length > 0 ? { rejects: true } : {}),
        attempts: 0,
      },
    };
    await this.#report(page, stage, job.jobId);
  }

  /** A large run: this and every later page go to the batch workflow as canonical JSON Lines. */
  async #stage(pageNumber: number, inputs: readonly ChangeInput[], staged: Staged | undefined): Promise<Staged> {
    const { job, vendor } = this.#run;
    const firstLine = (staged?.changes ?? 0) + 1;
    const key = handoffPartKey(vendor.id, job.jobId, pageNumber);
    const lines = inputs.map((input, i) => JSON.stringify({ ...input, line: firstLine + i }));
    await this.#deps.objects.writeText(key, lines.length > 0 ? `${lines.join("\n")}\n` : "");
    return {
      parts: [...(staged?.parts ?? []), { key, changes: lines.length, firstLine }],
      changes: (staged?.changes ?? 0) + lines.length,
    };
  }

  /** Validates mapped inputs into changes, counting and keeping the ones refused. */
  #toChanges(inputs: readonly ChangeInput[], rejects: RejectEntry[]): Change[] {
    const { job, vendor } = this.#run;
    const context = changeContext(vendor, {
      workflow: job.workflow,
      jobId: job.jobId,
      source: "vendor:pull",
      asOf: job.startedAt ?? job.createdAt,
    });
    const changes: Change[] = [];
    for (const item of intake(inputs, context)) {
      if ("refused" in item) rejects.push(...this.#tally.add([item.refused]));
      else changes.push(item.change);
    }
    return changes;
  }

  /** Writes (or, for a dry run, decides) changes; counts results. @returns results that failed retryably. */
  async #write(changes: readonly Change[], rejects: RejectEntry[]): Promise<ChangeResult[]> {
    const retryable: ChangeResult[] = [];
    for (let start = 0; start < changes.length; start += BATCH) {
      const results = await this.#applier.writeBatch(changes.slice(start, start + BATCH));
      this.#deps.onResults?.(results);
      rejects.push(...this.#tally.add(results));
      retryable.push(...results.filter((result) => result.outcome === "failed" && result.retryable));
    }
    return retryable;
  }

  async #keepRejects(page: number, entries: readonly RejectEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#deps.objects.writeText(
      `${rejectsPrefix(this.#run.job)}page-${String(page).padStart(6, "0")}.jsonl`,
      `${entries.map((entry) => JSON.stringify(entry)).join("\n")}\n`,
    );
  }

  /** Reports the page's counts (extending the lease); stops on a cancel request or a lost job. */
  async #report(page: PulledPage, staged: boolean, jobId: string): Promise<void> {
    const { message, vendor } = this.#run;
    const tally = this.#tally;
    const reported = await this.#deps.store.reportStep(jobId, message.step, {
      counts: tally.counts,
      rowsRead: tally.rowsRead,
      pagesFetched: tally.pagesFetched,
      heartbeatAt: this.#deps.now(),
      leaseUntil: this.#run.leaseFor(),
    });
    this.#deps.onEvent?.({
      kind: "page",
      jobId,
      vendorId: vendor.id,
      step: message.step,
      page: page.pageNumber,
      records: page.records.length,
      rowsRead: tally.rowsRead,
      counts: { ...tally.counts },
      staged,
    });
    if (reported === "cancel-requested") throw new StopPull("cancel");
    if (reported === "lost") throw new StopPull("lost");
  }

  /** The connector stopped with an error: cancel, give the job up, or continue in a follow-up. */
  async #stopped(error: unknown): Promise<StepEnd> {
    const { job, vendor, message } = this.#run;
    const committed = this.#committed;
    const attempts = (committed.resume.attempts ?? 0) + 1;
    if (error instanceof StopPull) {
      if (error.why === "lost") {
        this.#deps.log.warn("job moved on without this worker; stopping", { jobId: job.jobId, step: message.step });
        return { kind: "done" };
      }
      if (error.why === "cancel")
        return this.#finish("CANCELLED", committed.tally, "cancelled by an admin while running");
      return this.#continue(
        { ...committed.resume, attempts },
        committed.tally,
        backoffMs(attempts, this.#deps.random),
        "some changes of a page failed to write; the page is taken again",
      );
    }
    if (error instanceof VendorUnavailableError) {
      if (attempts > vendor.maxRetries) {
        const reason = `vendor unavailable after ${attempts} hand-overs: ${error.message}`;
        return this.#finish("FAILED", committed.tally, reason);
      }
      return this.#continue(
        { ...committed.resume, checkpoint: error.checkpoint, attempts },
        committed.tally,
        error.retryAfterMs ?? backoffMs(attempts, this.#deps.random),
        `vendor unavailable: ${error.message}`,
      );
    }
    // Credentials, config, a paging loop, a body that is not what the config says: no retry fixes it.
    if (error instanceof ValidationError) return this.#finish("FAILED", committed.tally, error.message);
    throw error;
  }

  /** The connector returned: hand over (partial), hand off to the batch workflow (staged), or finish. */
  async #ended(result: PullResult): Promise<StepEnd> {
    const { job, message } = this.#run;
    const committed = this.#committed;
    if (result.status === "partial") {
      return this.#continue(
        { ...committed.resume, checkpoint: result.checkpoint },
        this.#tally.snapshot(),
        result.retryAfterMs ?? 0,
        `handing over: ${result.reason}`,
      );
    }
    const nextWatermark = this.#channel.incremental && !isDryRun(job) ? result.watermark : undefined;
    const staged = committed.resume.staged;
    if (staged && this.#deps.batch) {
      await this.#handOff(this.#deps.batch, staged, result.watermark, nextWatermark);
      return { kind: "done" };
    }
    await this.#deps.jobs.finish(job, {
      status: statusFromCounts(this.#tally.counts),
      tally: this.#tally.snapshot(),
      ...(committed.resume.rejects ? { rejectsFile: rejectsPrefix(job) } : {}),
      ...(nextWatermark === undefined ? {} : { watermark: { pullWatermark: nextWatermark } }),
      guard: { step: message.step },
    });
    return { kind: "done" };
  }

  /** Writes the manifest of the staged parts and starts the batch workflow on them, once. */
  async #handOff(batch: BatchStarter, staged: Staged, asOf: number, watermark: number | undefined): Promise<void> {
    const { job, vendor, message } = this.#run;
    const tally = this.#tally.snapshot();
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
    await this.#deps.objects.writeText(manifestKey, JSON.stringify(manifest));
    // Started by name (the job id): a redelivered message finds the same execution, never a second one.
    const { executionId } = await batch.start({
      jobId: job.jobId,
      vendorId: vendor.id,
      trigger: job.trigger,
      dryRun: isDryRun(job),
      input: { kind: "pull-manifest", manifestKey },
      baseCounts: tally.counts,
      rowsRead: tally.rowsRead,
      ...(watermark === undefined ? {} : { watermark: { pullWatermark: watermark } }),
    });
    const first = await this.#deps.store.recordHandoff(
      job.jobId,
      message.step,
      { input: manifestKey, executionId, changes: staged.changes, at: this.#deps.now() },
      { counts: tally.counts, rowsRead: tally.rowsRead, pagesFetched: tally.pagesFetched },
    );
    this.#deps.log.info("large pull handed to the batch workflow", {
      jobId: job.jobId,
      vendorId: vendor.id,
      executionId,
      changes: staged.changes,
      redelivery: !first,
    });
  }

  async #finish(status: "CANCELLED" | "FAILED", tally: TallyState, errorSummary: string): Promise<StepEnd> {
    await this.#deps.jobs.finish(this.#run.job, {
      status,
      tally,
      errorSummary,
      guard: { step: this.#run.message.step },
    });
    return { kind: "done" };
  }

  #continue(state: PullResume, tally: TallyState, delayMs: number, note: string): StepEnd {
    return {
      kind: "continue",
      resume: { ...state, ...(tally.newestSourceTs === undefined ? {} : { newestSourceTs: tally.newestSourceTs }) },
      tally,
      delayMs,
      note,
    };
  }
}
