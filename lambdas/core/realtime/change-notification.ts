import type { EntityType } from "../model.ts";
import type { SyncRecord } from "../record.ts";

/** The kind of accepted change a notification announces. */
export type ChangeKind = "created" | "updated" | "deleted";

/**
 * One change notification: published once per accepted change, from the records table's stream on
 * AWS and from the store adapter in the sandbox. Subscribers filter on the message attributes with
 * SNS filter policies (`vendorId`, `entityType`, `changeKind`).
 */
export interface ChangeNotification {
  readonly message: {
    readonly vendorId: string;
    readonly entityType: EntityType;
    readonly entityKey: string;
    readonly changeKind: ChangeKind;
    readonly version: number;
    readonly sourceTs: number;
    readonly source: string;
    readonly eventId: string;
    readonly jobId: string;
    /** The record's attributes after the change (empty for a delete). Order attributes carry no PII by design. */
    readonly attributes: Readonly<Record<string, unknown>>;
  };
  /** SNS message attributes (string values) for filter policies. */
  readonly attributes: { readonly vendorId: string; readonly entityType: EntityType; readonly changeKind: ChangeKind };
}

/**
 * @param before - the record before the write (`undefined` for a create).
 * @param after - the record as written.
 * @returns the notification, or `undefined` when the write changed no content (a tombstone restamp),
 *   so nothing is announced that a subscriber would see as a change.
 */
export function changeNotification(before: SyncRecord | undefined, after: SyncRecord): ChangeNotification | undefined {
  if (before && before.contentHash === after.contentHash) return undefined;
  const changeKind: ChangeKind = after.deleted ? "deleted" : !before || before.deleted ? "created" : "updated";
  return {
    message: {
      vendorId: after.vendorId,
      entityType: after.entityType,
      entityKey: after.entityKey,
      changeKind,
      version: after.version,
      sourceTs: after.sourceTs,
      source: after.source,
      eventId: after.lastEventId,
      jobId: after.lastJobId,
      attributes: after.deleted ? {} : after.attributes,
    },
    attributes: { vendorId: after.vendorId, entityType: after.entityType, changeKind },
  };
}
