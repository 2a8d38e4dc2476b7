import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { conflictIdOf } from "../../core/changes/results.ts";
import type { ConflictDraft } from "../../core/conflict-rules.ts";
import type { ConflictItem, ConflictStore } from "../../core/ports.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";
import { itemSize, MAX_ITEM_BYTES } from "./item-size.ts";
import { DAY_SECONDS, iso, SyncTable, type SyncTableOptions, stripKeys, toAttrs } from "./sync-table.ts";
import { SYNC_TABLE, syncKeys } from "./table-design.ts";

/**
 * Manual-review conflicts in the sync table (`CONFLICT#<id>`), listed per vendor and status through
 * the `byVendor` index. A conflict is stored once per (record, event); a superseded one is closed
 * with a TTL and reopened when a late change takes the newer one back. Claims and resolutions are
 * `DynamoConflictReviewStore`'s.
 */
export class DynamoConflictStore implements ConflictStore {
  private readonly table: SyncTable;

  constructor(options: SyncTableOptions) {
    this.table = new SyncTable(options);
  }

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
      await this.table.client.send(
        new PutItemCommand({
          TableName: this.table.name,
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
    const updated = await this.table.updateIf(
      syncKeys.conflict(conflictId),
      {
        status: "SUPERSEDED",
        supersededBy: { eventId: by.eventId, sourceTs: by.sourceTs, at: now },
        [SYNC_TABLE.byVendorPartitionKey]: syncKeys.conflictsByVendor(by.vendorId, "SUPERSEDED"),
        [SYNC_TABLE.byVendorSortKey]: `${iso(now)}#${conflictId}`,
        [SYNC_TABLE.ttlAttribute]:
          Math.floor(now / 1000) + (this.table.options.conflictRetentionDays ?? 180) * DAY_SECONDS,
      },
      {
        expression: "#status = :open",
        names: { "#status": "status" },
        values: { ":open": { S: "OPEN" } },
      },
    );
    return updated !== undefined;
  }

  async getConflict(conflictId: string): Promise<ConflictItem | undefined> {
    const item = await this.table.get(syncKeys.conflict(conflictId));
    return item ? stripKeys<ConflictItem>(item) : undefined;
  }

  /** Conflicts of a vendor by status, oldest first. */
  async listConflicts(
    vendorId: string,
    options: { status?: ConflictItem["status"]; limit?: number } = {},
  ): Promise<ConflictItem[]> {
    return (
      await this.table.queryIndex(
        syncKeys.conflictsByVendor(vendorId, options.status ?? "OPEN"),
        undefined,
        options.limit,
        true,
      )
    ).map((item) => stripKeys<ConflictItem>(item));
  }
}
