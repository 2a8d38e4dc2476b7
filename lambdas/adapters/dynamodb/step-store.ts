import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { JobHandoff, JobItem, StepBase } from "../../core/jobs/job.ts";
import type { StepClaim, StepProgress, StepStore } from "../../core/jobs/ports.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { DynamoJobStore } from "./job-store.ts";
import { stripKeys, toAttrs } from "./sync-table.ts";
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
    try {
      const response = await this.table.client.send(
        new UpdateItemCommand({
          TableName: this.table.name,
          Key: toAttrs(syncKeys.job(jobId)),
          UpdateExpression:
            "SET #status = :running, #heartbeat = :now, #lease = :lease, #started = if_not_exists(#started, :now)",
          ConditionExpression:
            "#status IN (:queued, :running) AND #step = :step AND (attribute_not_exists(#lease) OR #lease < :now)",
          ExpressionAttributeNames: {
            "#status": "status",
            "#heartbeat": "heartbeatAt",
            "#lease": "leaseUntil",
            "#started": "startedAt",
            "#step": "step",
          },
          ExpressionAttributeValues: {
            ":running": { S: "RUNNING" },
            ":queued": { S: "QUEUED" },
            ":now": { N: String(at) },
            ":lease": { N: String(leaseUntil) },
            ":step": { N: String(step) },
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { kind: "claimed", job: stripKeys<JobItem>(unmarshall(response.Attributes ?? {})) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem claim step");
    }
    const job = await this.getJob(jobId);
    if (job && job.step === step && (job.status === "QUEUED" || job.status === "RUNNING")) {
      return { kind: "leased", job };
    }
    return { kind: "not-current", job };
  }

  async reportStep(jobId: string, step: number, progress: StepProgress): Promise<"ok" | "cancel-requested" | "lost"> {
    try {
      await this.table.update(
        syncKeys.job(jobId),
        { ...progress },
        {
          expression: "#status = :running AND #step = :step AND attribute_not_exists(#cancel)",
          names: { "#status": "status", "#step": "step", "#cancel": "cancelRequestedAt" },
          values: { ":running": { S: "RUNNING" }, ":step": { N: String(step) } },
          error: () => new ConcurrentUpdateError(`job ${jobId} moved on`),
        },
      );
      return "ok";
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
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
    try {
      await this.table.client.send(
        new UpdateItemCommand({
          TableName: this.table.name,
          Key: toAttrs(syncKeys.job(jobId)),
          UpdateExpression: "REMOVE #lease",
          ConditionExpression: "#step = :step",
          ExpressionAttributeNames: { "#lease": "leaseUntil", "#step": "step" },
          ExpressionAttributeValues: { ":step": { N: String(step) } },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem release step");
    }
  }

  async recordHandoff(jobId: string, step: number, handoff: JobHandoff, progress: StepBase): Promise<boolean> {
    try {
      await this.table.update(
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
          error: () => new ConcurrentUpdateError(`job ${jobId} is no longer running step ${step}`),
        },
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      if ((await this.getJob(jobId))?.handoff) return false;
      throw error;
    }
  }
}
