import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { JobHandoff, JobItem, StepBase } from "../../core/jobs/job.ts";
import type { StepClaim, StepProgress, StepStore } from "../../core/jobs/ports.ts";
import { DynamoJobStore } from "./job-store.ts";
import { stripKeys } from "./sync-table.ts";
import { syncKeys } from "./table-design.ts";

/**
 * The pull worker's steps on a job item: a step is claimed with a lease, reports progress, and hands
 * over to the next step (or to the batch workflow) with conditional writes on the job's `step`, so a
 * duplicate delivery or a stale worker never moves a job.
 */
export class DynamoStepStore extends DynamoJobStore implements StepStore {
  /**
   * Claims step `step` of a job: QUEUED/RUNNING → RUNNING with a lease, only when the job waits for
   * that step and no other worker holds its lease. One conditional UpdateItem; on failure one
   * consistent read tells why (the embedded engine cannot return the item with the failure).
   */
  async claimStep(jobId: string, step: number, at: number, leaseUntil: number): Promise<StepClaim> {
    const claimed = await this.table.updateIf(
      syncKeys.job(jobId),
      { status: "RUNNING", heartbeatAt: at, leaseUntil },
      {
        expression:
          "#status IN (:queued, :running) AND #step = :step AND (attribute_not_exists(#lease) OR #lease < :now)",
        names: { "#status": "status", "#lease": "leaseUntil", "#started": "startedAt", "#step": "step" },
        values: {
          ":running": { S: "RUNNING" },
          ":queued": { S: "QUEUED" },
          ":now": { N: String(at) },
          ":step": { N: String(step) },
        },
        computed: ["#started = if_not_exists(#started, :now)"],
        what: "claim step",
      },
    );
    if (claimed) return { kind: "claimed", job: stripKeys<JobItem>(claimed) };
    const job = await this.getJob(jobId);
    if (job && job.step === step && (job.status === "QUEUED" || job.status === "RUNNING")) {
      return { kind: "leased", job };
    }
    return { kind: "not-current", job };
  }

  async reportStep(jobId: string, step: number, progress: StepProgress): Promise<"ok" | "cancel-requested" | "lost"> {
    const reported = await this.table.updateIf(
      syncKeys.job(jobId),
      { ...progress },
      {
        expression: "#status = :running AND #step = :step AND attribute_not_exists(#cancel)",
        names: { "#status": "status", "#step": "step", "#cancel": "cancelRequestedAt" },
        values: { ":running": { S: "RUNNING" }, ":step": { N: String(step) } },
      },
    );
    if (reported) return "ok";
    const job = await this.getJob(jobId);
    return job?.status === "RUNNING" && job.step === step && job.cancelRequestedAt !== undefined
      ? "cancel-requested"
      : "lost";
  }

  async handOver(
    jobId: string,
    step: number,
    next: { resumeState: string; base: StepBase; heartbeatAt: number },
  ): Promise<void> {
    await this.table.update(
      syncKeys.job(jobId),
      {
        step: step + 1,
        resumeState: next.resumeState,
        stepBase: next.base,
        counts: next.base.counts,
        rowsRead: next.base.rowsRead,
        pagesFetched: next.base.pagesFetched,
        heartbeatAt: next.heartbeatAt,
      },
      {
        expression: "#status = :running AND #step = :step",
        names: { "#status": "status", "#step": "step" },
        values: { ":running": { S: "RUNNING" }, ":step": { N: String(step) } },
        remove: ["leaseUntil"],
        error: () => new ConcurrentUpdateError(`job ${jobId} is no longer running step ${step}`),
      },
    );
  }

  async releaseStep(jobId: string, step: number): Promise<void> {
    await this.table.updateIf(
      syncKeys.job(jobId),
      {},
      {
        expression: "#step = :step",
        names: { "#step": "step" },
        values: { ":step": { N: String(step) } },
        remove: ["leaseUntil"],
        what: "release step",
      },
    );
  }

  async recordHandoff(jobId: string, step: number, handoff: JobHandoff, progress: StepBase): Promise<boolean> {
    const recorded = await this.table.updateIf(
      syncKeys.job(jobId),
      {
        handoff,
        counts: progress.counts,
        rowsRead: progress.rowsRead,
        pagesFetched: progress.pagesFetched,
        heartbeatAt: handoff.at,
      },
      {
        expression: "#status = :running AND #step = :step AND attribute_not_exists(#handoff)",
        names: { "#status": "status", "#step": "step", "#handoff": "handoff" },
        values: { ":running": { S: "RUNNING" }, ":step": { N: String(step) } },
        remove: ["leaseUntil"],
      },
    );
    if (recorded) return true;
    if ((await this.getJob(jobId))?.handoff) return false;
    throw new ConcurrentUpdateError(`job ${jobId} is no longer running step ${step}`);
  }
}
