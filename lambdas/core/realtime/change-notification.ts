import type { EntityType } from "../model.ts";
import type { SyncRecord } from "../record.ts";
import { MAX_MESSAGE_BYTES, messageBytes } from "./publish-batches.ts";

/**
 * The change notification's schema version, sent as the `schemaVersion` message attribute of every
 * notification. Version 2 (issue 13): a change whose message would exceed SNS's 256 KB limit is
 * announced without its attributes (`attributes: {}`, `attributesOmitted: true`); the subscriber reads
 * the record (at `version` or later) instead. Messages without the attribute are version 1, which
 * always carried the attributes. See docs/architecture.md.
 */
export const CHANGE_SCHEMA_VERSION = "2";

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
    /**
     * The record's attributes after the change (empty for a delete, and when `attributesOmitted`).
     * Order attributes carry no PII by design.
     */
    readonly attributes: Readonly<Record<string, unknown>>;
    /**
     * Present (`true`) when the attributes would have made the message larger than SNS allows
     * (256 KB): read the record `(vendorId, entityType, entityKey)` for them (schema version 2).
     */
    readonly attributesOmitted?: true;
  };
  /** SNS message attributes (string values): filter policies' `vendorId`, `entityType`, `changeKind`, and the schema's version. */
  readonly attributes: {
    readonly vendorId: string;
    readonly entityType: EntityType;
    readonly changeKind: ChangeKind;
    readonly schemaVersion: typeof CHANGE_SCHEMA_VERSION;
  };
}

/** A change notification with its message body as published (JSON) and its size as SNS counts it. */
export interface PublishableNotification {
  readonly notification: ChangeNotification;
  /** `notification.message` as JSON: the SNS message body. */
  readonly body: string;
  /** Body plus message attributes, bytes ({@link messageBytes}). */
  readonly bytes: number;
}

/**
 * @param before - the record before the write (`undefined` for a create).
 * @param after - the record as written.
 * @returns the notification, or `undefined` when the write changed no content (a tombstone restamp),
 *   so nothing is announced that a subscriber would see as a change. A notification that would exceed
 *   SNS's message size limit ({@link MAX_MESSAGE_BYTES}, body and message attributes) comes without
 *   the record's attributes, flagged `attributesOmitted` (items reach 400 KB, SNS messages 256 KB).
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (message size)
 */
export function changeNotification(before: SyncRecord | undefined, after: SyncRecord): ChangeNotification | undefined {
  return publishableNotification(before, after)?.notification;
}

/**
 * {@link changeNotification} with the body it was measured by, for the publisher (the message is
 * serialised once, not again to size a batch and to publish it).
 */
export function publishableNotification(
  before: SyncRecord | undefined,
  after: SyncRecord,
): PublishableNotification | undefined {
  if (before && before.contentHash === after.contentHash) return undefined;
  const changeKind: ChangeKind = after.deleted ? "deleted" : !before || before.deleted ? "created" : "updated";
  const notification: ChangeNotification = {
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
    attributes: {
      vendorId: after.vendorId,
      entityType: after.entityType,
      changeKind,
      schemaVersion: CHANGE_SCHEMA_VERSION,
    },
  };
  const full = measured(notification);
  if (full.bytes <= MAX_MESSAGE_BYTES) return full;
  return measured({ ...notification, message: { ...notification.message, attributes: {}, attributesOmitted: true } });
}

function measured(notification: ChangeNotification): PublishableNotification {
  const body = JSON.stringify(notification.message);
  return { notification, body, bytes: messageBytes(body, notification.attributes) };
}
