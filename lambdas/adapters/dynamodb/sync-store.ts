import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { conflictIdOf } from "../../core/changes/results.ts";
import type { ConflictDraft } from "../../core/conflict-rules.ts";
import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { JobHandoff, JobItem, StepBase, VendorState } from "../../core/jobs/job.ts";
import type { NewJob, StepClaim, StepProgress, StepStore, TransitionGuard } from "../../core/jobs/ports.ts";
import { emptyCounts, type JobStatus, type OutcomeCounts } from "../../core/outcomes.ts";
import type { ConflictItem, ConflictStore } from "../../core/ports.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { itemSize, MAX_ITEM_BYTES } from "./item-size.ts";
import { escapeMapKeys, unescapeMapKeys } from "./map-keys.ts";
import { SYNC_TABLE, syncKeys } from "./table-design.ts";

export type { JobItem, JobTrigger, VendorState } from "../../core/jobs/job.ts";

export interface DynamoSyncStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Days a finished job is kept (TTL). @default 90 */
  readonly jobRetentionDays?: number;
  /** Days a resolved conflict is kept (TTL). @default 180 */
  readonly conflictRetentionDays?: number;
}

const DAY_SECONDS = 86_400;
const iso = (ms: number) => new Date(ms).toISOString();
/** Marshalls an item; map keys the SDK cannot carry (vendor attributes in conflicts) are escaped (map-keys.ts). */
const toAttrs = (value: Record<string, unknown>) =>
  marshall(escapeMapKeys(value), { removeUndefinedValues: true, convertClassInstanceToMap: false });

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
 * Jobs, manual-review conflicts and vendor state in the sync table (single-table design; keys in
 * `table-design.ts`). Status changes are conditional, so a job never moves backwards.
 */
export class DynamoSyncStore implements ConflictStore, StepStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #options: DynamoSyncStoreOptions;

  constructor(options: DynamoSyncStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#options = options;
  }

  // ---- jobs ---------------------------------------------------------------------------------

  /** Creates a job in QUEUED (its heartbeat is its creation time, so the watchdog sees a job that never starts). */
  async createJob(job: NewJob): Promise<JobItem> {
    const item: JobItem = {
      ...job,
      status: "QUEUED",
      counts: emptyCounts(),
      rowsRead: 0,
      heartbeatAt: job.createdAt,
    };
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
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
      throw toStoreError(error, "PutItem job");
    }
    return item;
  }

  /**
   * Moves a job to `status`, with counts and other fields, only from the states allowed before it
   * (and the guard's step and heartbeat, when given).
   * @throws {ConcurrentUpdateError} when the job is not in an allowed state (already finished, cancelled)
   *   or a guard does not hold.
   */
  async transitionJob(
    jobId: string,
    status: JobStatus,
    fields: Partial<Omit<JobItem, "jobId" | "vendorId" | "status">> = {},
    guard: TransitionGuard = {},
  ): Promise<void> {
    const allowed = guard.from ?? FROM_STATUS[status];
    const final = status !== "RUNNING" && status !== "QUEUED";
    const set: Record<string, unknown> = {
      ...fields,
      status,
      ...(final
        ? { expiresAt: Math.floor(Date.now() / 1000) + (this.#options.jobRetentionDays ?? 90) * DAY_SECONDS }
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
    await this.#update(syncKeys.job(jobId), set, {
      expression: clauses.join(" AND "),
      names,
      values,
      remove: final ? ["leaseUntil"] : [],
      error: () =>
        new ConcurrentUpdateError(
          `job ${jobId} cannot move to ${status}: it is not ${allowed.join(" or ")}${guard.step === undefined ? "" : ` at step ${guard.step}`}, or it moved on`,
        ),
    });
  }

  /** Records live progress of a RUNNING job (counts, rows read, heartbeat). */
  async reportProgress(jobId: string, progress: { counts: OutcomeCounts; rowsRead: number; heartbeatAt: number }) {
    await this.#update(syncKeys.job(jobId), progress, {
      expression: "#status = :running",
      names: { "#status": "status" },
      values: { ":running": { S: "RUNNING" } },
      error: () => new ConcurrentUpdateError(`job ${jobId} is no longer running`),
    });
  }

  async getJob(jobId: string): Promise<JobItem | undefined> {
    const item = await this.#get(syncKeys.job(jobId));
    return item ? stripKeys<JobItem>(item) : undefined;
  }

  /** Jobs of a vendor, newest first. @param options.since - only jobs created at or after (epoch ms). */
  async listJobs(vendorId: string, options: { since?: number; limit?: number } = {}): Promise<JobItem[]> {
    return (
      await this.#queryIndex(
        syncKeys.jobsByVendor(vendorId),
        options.since ? iso(options.since) : undefined,
        options.limit,
      )
    ).map((item) => stripKeys<JobItem>(item));
  }

  // ---- pull steps (the pull worker) ----------------------------------------------------------

  /**
   * Records a cancel request on a RUNNING job (the worker stops at its next page).
   * @returns `false` when the job is not running (ended, or still QUEUED: cancel those directly).
   */
  async requestCancel(jobId: string, at: number): Promise<boolean> {
    try {
      await this.#update(
        syncKeys.job(jobId),
        { cancelRequestedAt: at },
        {
          expression: "#status = :running",
          names: { "#status": "status" },
          values: { ":running": { S: "RUNNING" } },
          error: () => new ConcurrentUpdateError(`job ${jobId} is not running`),
        },
      );
      return true;
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) return false;
      throw error;
    }
  }

  async setJobOwner(jobId: string, owner: string): Promise<boolean> {
    try {
      await this.#update(
        syncKeys.job(jobId),
        { owner },
        {
          expression: "#status IN (:queued, :running)",
          names: { "#status": "status" },
          values: { ":queued": { S: "QUEUED" }, ":running": { S: "RUNNING" } },
          error: () => new ConcurrentUpdateError(`job ${jobId} has ended`),
        },
      );
      return true;
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) return false;
      throw error;
    }
  }

  /**
   * Claims step `step` of a job: QUEUED/RUNNING → RUNNING with a lease, only when the job waits for
   * that step and no other worker holds its lease. One conditional UpdateItem; on failure one
   * consistent read tells why (the embedded engine cannot return the item with the failure).
   */
  async claimStep(jobId: string, step: number, at: number, leaseUntil: number): Promise<StepClaim> {
    try {
      const response = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
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
      await this.#update(
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
    await this.#update(
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
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
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
      await this.#update(
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

  // ---- conflicts ----------------------------------------------------------------------------

  async saveConflict(draft: ConflictDraft, now: number): Promise<{ conflictId: string; created: boolean }> {
    const conflictId = conflictIdOf(draft.incoming);
    const { incoming } = draft;
    // The record as a reviewer sees it: its remembered history stays with the record.
    const { history: _history, reviews: _reviews, ...current } = draft.current;
    const conflict: ConflictItem = {
      conflictId,
      vendorId: incoming.vendorId,
      entityType: incoming.entityType,
      entityKey: incoming.entityKey,
      status: "OPEN",
      reason: draft.reason,
      message: draft.message,
      recordVersion: draft.recordVersion,
      current,
      incoming,
      proposed: draft.proposed,
      diff: draft.diff,
      createdAt: now,
    };
    let item = toAttrs({
      ...syncKeys.conflict(conflictId),
      [SYNC_TABLE.byVendorPartitionKey]: syncKeys.conflictsByVendor(incoming.vendorId, "OPEN"),
      [SYNC_TABLE.byVendorSortKey]: `${iso(now)}#${conflictId}`,
      type: "conflict",
      ...conflict,
    });
    if (itemSize(item).bytes > MAX_ITEM_BYTES) {
      // Keep what a reviewer needs: the diff and the proposal carry every changed value.
      const { current: _c, ...rest } = conflict;
      item = toAttrs({
        ...syncKeys.conflict(conflictId),
        [SYNC_TABLE.byVendorPartitionKey]: syncKeys.conflictsByVendor(incoming.vendorId, "OPEN"),
        [SYNC_TABLE.byVendorSortKey]: `${iso(now)}#${conflictId}`,
        type: "conflict",
        ...rest,
        current: { ...current, attributes: {} },
        truncated: true,
      });
    }
    try {
      // New, or superseded before and taken back into review by a late change: (re)opened.
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk) OR #status = :superseded",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":superseded": { S: "SUPERSEDED" } },
        }),
      );
      return { conflictId, created: true };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { conflictId, created: false };
      throw toStoreError(error, "PutItem conflict");
    }
  }

  async supersedeConflict(
    conflictId: string,
    by: { vendorId: string; eventId: string; sourceTs: number },
    now: number,
  ): Promise<boolean> {
    try {
      await this.#update(
        syncKeys.conflict(conflictId),
        {
          status: "SUPERSEDED",
          supersededBy: { eventId: by.eventId, sourceTs: by.sourceTs, at: now },
          [SYNC_TABLE.byVendorPartitionKey]: syncKeys.conflictsByVendor(by.vendorId, "SUPERSEDED"),
          [SYNC_TABLE.byVendorSortKey]: `${iso(now)}#${conflictId}`,
          [SYNC_TABLE.ttlAttribute]:
            Math.floor(now / 1000) + (this.#options.conflictRetentionDays ?? 180) * DAY_SECONDS,
        },
        {
          expression: "#status = :open",
          names: { "#status": "status" },
          values: { ":open": { S: "OPEN" } },
          error: () => new ConcurrentUpdateError(`conflict ${conflictId} is not open`),
        },
      );
      return true;
    } catch (error) {
      if (error instanceof ConcurrentUpdateError) return false;
      throw error;
    }
  }

  async getConflict(conflictId: string): Promise<ConflictItem | undefined> {
    const item = await this.#get(syncKeys.conflict(conflictId));
    return item ? stripKeys<ConflictItem>(item) : undefined;
  }

  /** Conflicts of a vendor by status, oldest first. */
  async listConflicts(
    vendorId: string,
    options: { status?: ConflictItem["status"]; limit?: number } = {},
  ): Promise<ConflictItem[]> {
    return (
      await this.#queryIndex(
        syncKeys.conflictsByVendor(vendorId, options.status ?? "OPEN"),
        undefined,
        options.limit,
        true,
      )
    ).map((item) => stripKeys<ConflictItem>(item));
  }

  // ---- vendor state -------------------------------------------------------------------------

  async getVendorState(vendorId: string): Promise<VendorState> {
    const item = await this.#get(syncKeys.vendorState(vendorId));
    return item ? stripKeys<VendorState>(item) : { vendorId };
  }

  /** Records a finished sync: each freshness time moves forward only (never back to an older time). */
  async recordSync(vendorId: string, sync: { finishedAt: number; newestSourceTs?: number }): Promise<void> {
    const forward: [string, number | undefined][] = [
      ["lastSuccessAt", sync.finishedAt],
      ["newestSourceTs", sync.newestSourceTs],
    ];
    // One conditional update per time keeps "forward only" without a read.
    for (const [field, time] of forward) {
      if (time === undefined) continue;
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: toAttrs(syncKeys.vendorState(vendorId)),
            UpdateExpression: "SET #vendor = :vendor, #time = :time",
            ConditionExpression: "attribute_not_exists(#time) OR #time < :time",
            ExpressionAttributeNames: { "#vendor": "vendorId", "#time": field },
            ExpressionAttributeValues: { ":vendor": { S: vendorId }, ":time": { N: String(time) } },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem vendor state");
      }
    }
  }

  /**
   * Takes the vendor's single-running-job lock (`runningJobId` on the vendor state item) with a
   * conditional write.
   */
  async acquireVendorLock(
    vendorId: string,
    jobId: string,
    at: number,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: toAttrs(syncKeys.vendorState(vendorId)),
            UpdateExpression: "SET #vendor = :vendor, #job = :job, #since = :since",
            ConditionExpression: "attribute_not_exists(#job)",
            ExpressionAttributeNames: { "#vendor": "vendorId", "#job": "runningJobId", "#since": "runningSince" },
            ExpressionAttributeValues: {
              ":vendor": { S: vendorId },
              ":job": { S: jobId },
              ":since": { N: String(at) },
            },
          }),
        );
        return { acquired: true };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem vendor lock");
      }
      const holder = (await this.getVendorState(vendorId)).runningJobId;
      if (holder) return { acquired: false, holder };
      // Released between our write and our read: try again.
    }
    throw new ConcurrentUpdateError(`the lock of vendor ${vendorId} keeps changing hands`);
  }

  async releaseVendorLock(vendorId: string, jobId: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: toAttrs(syncKeys.vendorState(vendorId)),
          UpdateExpression: "REMOVE #job, #since",
          ConditionExpression: "#job = :job",
          ExpressionAttributeNames: { "#job": "runningJobId", "#since": "runningSince" },
          ExpressionAttributeValues: { ":job": { S: jobId } },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem vendor unlock");
    }
  }

  /** Moves the pull watermark (epoch ms) or the file-drop position (an object key) forward only. */
  async advanceWatermark(vendorId: string, watermark: { pullWatermark?: number; fileDropAfterKey?: string }) {
    for (const [field, value] of Object.entries(watermark)) {
      if (value === undefined) continue;
      try {
        await this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: toAttrs(syncKeys.vendorState(vendorId)),
            UpdateExpression: "SET #vendor = :vendor, #mark = :mark",
            ConditionExpression: "attribute_not_exists(#mark) OR #mark < :mark",
            ExpressionAttributeNames: { "#vendor": "vendorId", "#mark": field },
            ExpressionAttributeValues: {
              ":vendor": { S: vendorId },
              ":mark": typeof value === "number" ? { N: String(value) } : { S: value },
            },
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem watermark");
      }
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  async #get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    try {
      const response = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: toAttrs(key), ConsistentRead: true }),
      );
      return response.Item ? unmarshall(response.Item) : undefined;
    } catch (error) {
      throw toStoreError(error, "GetItem");
    }
  }

  async #queryIndex(
    partition: string,
    sortFrom: string | undefined,
    limit = 50,
    ascending = false,
  ): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const response = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: SYNC_TABLE.byVendorIndex,
          KeyConditionExpression: sortFrom ? "#pk = :pk AND #sk >= :from" : "#pk = :pk",
          ExpressionAttributeNames: {
            "#pk": SYNC_TABLE.byVendorPartitionKey,
            ...(sortFrom ? { "#sk": SYNC_TABLE.byVendorSortKey } : {}),
          },
          ExpressionAttributeValues: { ":pk": { S: partition }, ...(sortFrom ? { ":from": { S: sortFrom } } : {}) },
          ScanIndexForward: ascending,
          Limit: limit - out.length,
          ExclusiveStartKey: startKey,
        }),
      );
      out.push(...(response.Items ?? []).map((item) => unmarshall(item)));
      startKey = response.LastEvaluatedKey;
    } while (startKey && out.length < limit);
    return out;
  }

  async #update(
    key: { pk: string; sk: string },
    set: Record<string, unknown>,
    condition: {
      expression: string;
      names: Record<string, string>;
      values: Record<string, AttributeValue>;
      /** Attributes to remove. */
      remove?: readonly string[];
      error: () => Error;
    },
  ): Promise<void> {
    const names: Record<string, string> = { ...condition.names };
    const values: Record<string, AttributeValue> = { ...condition.values };
    const assignments: string[] = [];
    Object.entries(set).forEach(([field, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = field;
      values[`:v${i}`] = toAttrs({ value }).value as AttributeValue;
      assignments.push(`#f${i} = :v${i}`);
    });
    const removals = (condition.remove ?? []).map((field, i) => {
      names[`#r${i}`] = field;
      return `#r${i}`;
    });
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: toAttrs(key),
          UpdateExpression: `SET ${assignments.join(", ")}${removals.length > 0 ? ` REMOVE ${removals.join(", ")}` : ""}`,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw condition.error();
      throw toStoreError(error, "UpdateItem");
    }
  }
}

function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _type, expiresAt: _ttl, ...rest } = item;
  return unescapeMapKeys(rest) as T;
}
