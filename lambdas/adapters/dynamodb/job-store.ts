import { type AttributeValue, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { JobItem, VendorState } from "../../core/jobs/job.ts";
import type { JobStore, NewJob, TransitionGuard, TransitionOptions } from "../../core/jobs/ports.ts";
import { emptyCounts, type JobStatus, type OutcomeCounts } from "../../core/outcomes.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { DAY_SECONDS, iso, SyncTable, type SyncTableOptions, stripKeys, toAttrs } from "./sync-table.ts";
import { SYNC_TABLE, syncKeys } from "./table-design.ts";
import { DynamoVendorStateStore } from "./vendor-state-store.ts";

/** Job status transitions allowed, as condition fragments on `#status`. */
const FROM_STATUS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  QUEUED: [],
  RUNNING: ["QUEUED"],
  SUCCEEDED: ["RUNNING"],
  PARTIAL: ["RUNNING"],
  FAILED: ["QUEUED", "RUNNING"],
  CANCELLED: ["QUEUED", "RUNNING"],
};

/**
 * Jobs in the sync table (`JOB#<id>`, listed per vendor through the `byVendor` index), with the
 * vendor state the job lifecycle needs ({@link DynamoVendorStateStore}). Status changes are
 * conditional, so a job never moves backwards.
 */
export class DynamoJobStore implements JobStore {
  protected readonly table: SyncTable;
  readonly #vendors: DynamoVendorStateStore;

  constructor(options: SyncTableOptions) {
    this.table = new SyncTable(options);
    this.#vendors = new DynamoVendorStateStore(options);
  }

  /**
   * Creates a job in QUEUED, or RUNNING when `job.startedAt` is given (its heartbeat is its creation
   * or start time, so the watchdog sees a job that never starts or never reports).
   * @throws {ConcurrentUpdateError} when a job with this id already exists.
   */
  async createJob(job: NewJob): Promise<JobItem> {
    const item: JobItem = {
      ...job,
      status: job.startedAt === undefined ? "QUEUED" : "RUNNING",
      counts: emptyCounts(),
      rowsRead: 0,
      heartbeatAt: job.startedAt ?? job.createdAt,
    };
    try {
      await this.table.client.send(
        new PutItemCommand({
          TableName: this.table.name,
          Item: toAttrs({
            ...syncKeys.job(job.jobId),
            [SYNC_TABLE.byVendorPartitionKey]: syncKeys.jobsByVendor(job.vendorId),
            [SYNC_TABLE.byVendorSortKey]: `${iso(job.createdAt)}#${job.jobId}`,
            type: "job",
            ...item,
          }),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new ConcurrentUpdateError(`job ${job.jobId} already exists`);
      throw toStoreError(error, "PutItem job");
    }
    return item;
  }

  /**
   * Moves a job to `status`, with counts and other fields, only from the states allowed before it
   * (and the guard's step and heartbeat, when given).
   * @returns the job as stored afterwards (UpdateItem `ReturnValues: ALL_NEW`, no read).
   * @throws {ConcurrentUpdateError} when the job is not in an allowed state (already finished, cancelled),
   *   does not exist, or a guard does not hold.
   */
  async transitionJob(
    jobId: string,
    status: JobStatus,
    fields: Partial<Omit<JobItem, "jobId" | "vendorId" | "status">> = {},
    guard: TransitionGuard = {},
    options: TransitionOptions = {},
  ): Promise<JobItem> {
    const allowed = guard.from ?? FROM_STATUS[status];
    const final = status !== "RUNNING" && status !== "QUEUED";
    const set: Record<string, unknown> = {
      ...fields,
      status,
      ...(final
        ? { expiresAt: Math.floor(Date.now() / 1000) + (this.table.options.jobRetentionDays ?? 90) * DAY_SECONDS }
        : {}),
    };
    const clauses = [`#status IN (${allowed.map((_, i) => `:from${i}`).join(", ")})`];
    const names: Record<string, string> = { "#status": "status" };
    const values: Record<string, AttributeValue> = Object.fromEntries(allowed.map((s, i) => [`:from${i}`, { S: s }]));
    if (guard.step !== undefined) {
      clauses.push("#step = :guardStep");
      names["#step"] = "step";
      values[":guardStep"] = { N: String(guard.step) };
    }
    if (guard.heartbeatAt !== undefined) {
      names["#heartbeat"] = "heartbeatAt";
      if (guard.heartbeatAt === null) clauses.push("attribute_not_exists(#heartbeat)");
      else {
        clauses.push("#heartbeat = :guardHeartbeat");
        values[":guardHeartbeat"] = { N: String(guard.heartbeatAt) };
      }
    }
    const computed: string[] = [];
    if (options.durationUntil !== undefined) {
      // DynamoDB computes the duration from the stored start (UpdateExpression arithmetic, if_not_exists).
      names["#started"] = "startedAt";
      names["#duration"] = "durationMs";
      values[":until"] = { N: String(options.durationUntil) };
      computed.push(
        "#duration = :until - if_not_exists(#started, :until)",
        "#started = if_not_exists(#started, :until)",
      );
    }
    const item = await this.table.update(syncKeys.job(jobId), set, {
      expression: clauses.join(" AND "),
      names,
      values,
      computed,
      remove: final ? ["leaseUntil"] : [],
      error: () =>
        new ConcurrentUpdateError(
          `job ${jobId} cannot move to ${status}: it is not ${allowed.join(" or ")}${guard.step === undefined ? "" : ` at step ${guard.step}`}, or it moved on`,
        ),
    });
    return stripKeys<JobItem>(item);
  }

  /** Records live progress of a RUNNING job (counts, rows read, heartbeat). */
  async reportProgress(jobId: string, progress: { counts: OutcomeCounts; rowsRead: number; heartbeatAt: number }) {
    await this.table.update(syncKeys.job(jobId), progress, {
      expression: "#status = :running",
      names: { "#status": "status" },
      values: { ":running": { S: "RUNNING" } },
      error: () => new ConcurrentUpdateError(`job ${jobId} is no longer running`),
    });
  }

  async getJob(jobId: string): Promise<JobItem | undefined> {
    const item = await this.table.get(syncKeys.job(jobId));
    return item ? stripKeys<JobItem>(item) : undefined;
  }

  /** Jobs of a vendor, newest first. @param options.since - only jobs created at or after (epoch ms). */
  async listJobs(vendorId: string, options: { since?: number; limit?: number } = {}): Promise<JobItem[]> {
    return (
      await this.table.queryIndex(
        syncKeys.jobsByVendor(vendorId),
        options.since ? iso(options.since) : undefined,
        options.limit,
      )
    ).map((item) => stripKeys<JobItem>(item));
  }

  /**
   * Records a cancel request on a RUNNING job (the worker stops at its next page).
   * @returns `false` when the job is not running (ended, or still QUEUED: cancel those directly).
   */
  async requestCancel(jobId: string, at: number): Promise<boolean> {
    const updated = await this.table.updateIf(
      syncKeys.job(jobId),
      { cancelRequestedAt: at },
      {
        expression: "#status = :running",
        names: { "#status": "status" },
        values: { ":running": { S: "RUNNING" } },
      },
    );
    return updated !== undefined;
  }

  async setJobOwner(jobId: string, owner: string): Promise<boolean> {
    const updated = await this.table.updateIf(
      syncKeys.job(jobId),
      { owner },
      {
        expression: "#status IN (:queued, :running)",
        names: { "#status": "status" },
        values: { ":queued": { S: "QUEUED" }, ":running": { S: "RUNNING" } },
      },
    );
    return updated !== undefined;
  }

  // ---- vendor state (DynamoVendorStateStore) ---------------------------------------------------

  getVendorState(vendorId: string): Promise<VendorState> {
    return this.#vendors.getVendorState(vendorId);
  }

  recordSync(vendorId: string, sync: { finishedAt: number; newestSourceTs?: number }): Promise<void> {
    return this.#vendors.recordSync(vendorId, sync);
  }

  acquireVendorLock(
    vendorId: string,
    jobId: string,
    at: number,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }> {
    return this.#vendors.acquireVendorLock(vendorId, jobId, at);
  }

  releaseVendorLock(vendorId: string, jobId: string): Promise<void> {
    return this.#vendors.releaseVendorLock(vendorId, jobId);
  }

  advanceWatermark(vendorId: string, watermark: { pullWatermark?: number; fileDropAfterKey?: string }): Promise<void> {
    return this.#vendors.advanceWatermark(vendorId, watermark);
  }
}
