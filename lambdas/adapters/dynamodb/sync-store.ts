import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { ConflictDraft } from "../../core/conflict-rules.ts";
import { contentHash } from "../../core/content-hash.ts";
import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { Workflow } from "../../core/model.ts";
import { emptyCounts, type JobStatus, type OutcomeCounts } from "../../core/outcomes.ts";
import type { ConflictItem, ConflictStore } from "../../core/ports.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { itemSize, MAX_ITEM_BYTES } from "./item-size.ts";
import { SYNC_TABLE, syncKeys } from "./table-design.ts";

/** What started a job. */
export type JobTrigger = "cli" | "schedule" | "admin" | "upload" | "webhook";

/** A sync job as stored and reported (`vendor-sync job`, the admin API). */
export interface JobItem {
  readonly jobId: string;
  readonly vendorId: string;
  readonly workflow: Workflow;
  readonly trigger: JobTrigger;
  readonly status: JobStatus;
  /** What the job was asked to do (file, as-of time, full snapshot, dry run). */
  readonly input: Readonly<Record<string, string | number | boolean | null>>;
  readonly counts: OutcomeCounts;
  /** Source rows read (files), beside the change counts. */
  readonly rowsRead: number;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** Last sign of life of a running job, epoch ms. */
  readonly heartbeatAt?: number;
  readonly durationMs?: number;
  readonly errorSummary?: string;
  /** Where rejected changes were written, or null when none were. */
  readonly rejectsFile?: string | null;
}

/** Per-vendor state: freshness, pause. */
export interface VendorState {
  readonly vendorId: string;
  /** Wall-clock end of the last job that finished SUCCEEDED or PARTIAL, epoch ms. */
  readonly lastSuccessAt?: number;
  /** Newest `sourceTs` of an accepted change, epoch ms. */
  readonly newestSourceTs?: number;
  readonly paused?: boolean;
}

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
const toAttrs = (value: Record<string, unknown>) =>
  marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: false });

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
export class DynamoSyncStore implements ConflictStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #options: DynamoSyncStoreOptions;

  constructor(options: DynamoSyncStoreOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#options = options;
  }

  // ---- jobs ---------------------------------------------------------------------------------

  /** Creates a job in QUEUED. */
  async createJob(job: {
    jobId: string;
    vendorId: string;
    workflow: Workflow;
    trigger: JobTrigger;
    input: JobItem["input"];
    createdAt: number;
  }): Promise<JobItem> {
    const item: JobItem = { ...job, status: "QUEUED", counts: emptyCounts(), rowsRead: 0 };
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
   * Moves a job to `status`, with counts and other fields, only from the states allowed before it.
   * @throws {ConcurrentUpdateError} when the job is not in an allowed state (already finished, cancelled).
   */
  async transitionJob(
    jobId: string,
    status: JobStatus,
    fields: Partial<Omit<JobItem, "jobId" | "vendorId" | "status">> = {},
  ): Promise<void> {
    const allowed = FROM_STATUS[status];
    const final = status !== "RUNNING" && status !== "QUEUED";
    const set: Record<string, unknown> = {
      ...fields,
      status,
      ...(final
        ? { expiresAt: Math.floor(Date.now() / 1000) + (this.#options.jobRetentionDays ?? 90) * DAY_SECONDS }
        : {}),
    };
    await this.#update(syncKeys.job(jobId), set, {
      expression: `#status IN (${allowed.map((_, i) => `:from${i}`).join(", ")})`,
      names: { "#status": "status" },
      values: Object.fromEntries(allowed.map((s, i) => [`:from${i}`, { S: s }])),
      error: () =>
        new ConcurrentUpdateError(`job ${jobId} cannot move to ${status}: it is not ${allowed.join(" or ")}`),
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

  // ---- conflicts ----------------------------------------------------------------------------

  /** @returns the conflict id of a change: one conflict per (record, event). */
  static conflictId(draft: Pick<ConflictDraft, "incoming">): string {
    const c = draft.incoming;
    return `c-${contentHash([c.vendorId, c.entityType, c.entityKey, c.eventId]).slice(0, 20)}`;
  }

  async saveConflict(draft: ConflictDraft, now: number): Promise<{ conflictId: string; created: boolean }> {
    const conflictId = DynamoSyncStore.conflictId(draft);
    const { incoming, current } = draft;
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
      await this.#client.send(
        new PutItemCommand({ TableName: this.#table, Item: item, ConditionExpression: "attribute_not_exists(pk)" }),
      );
      return { conflictId, created: true };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { conflictId, created: false };
      throw toStoreError(error, "PutItem conflict");
    }
  }

  async getConflict(conflictId: string): Promise<ConflictItem | undefined> {
    const item = await this.#get(syncKeys.conflict(conflictId));
    return item ? stripKeys<ConflictItem>(item) : undefined;
  }

  /** Conflicts of a vendor by status, oldest first. */
  async listConflicts(
    vendorId: string,
    options: { status?: "OPEN" | "RESOLVED"; limit?: number } = {},
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
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: toAttrs(key),
          UpdateExpression: `SET ${assignments.join(", ")}`,
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
  return rest as T;
}
