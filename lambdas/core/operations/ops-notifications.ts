import type { Change } from "../change.ts";
import type { ConflictDraft } from "../conflict-rules.ts";

/**
 * A notification for admins and operators (job finished, conflict opened), published on the
 * operations topic with `vendorId` and `kind` message attributes for filter policies.
 */
export interface OpsNotification {
  readonly subject: string;
  readonly message: Readonly<Record<string, unknown>>;
  readonly attributes: {
    readonly vendorId: string;
    readonly kind: "conflict-opened" | "conflict-superseded" | "job-finished";
  };
}

/** @returns the notification for a newly opened manual-review conflict (field names, not values: order data is PII-adjacent). */
export function conflictOpenedNotification(conflictId: string, draft: ConflictDraft): OpsNotification {
  const { incoming } = draft;
  return {
    subject: `Conflict to review: ${incoming.vendorId} ${incoming.entityType} ${incoming.entityKey}`.slice(0, 99),
    message: {
      kind: "conflict-opened",
      conflictId,
      vendorId: incoming.vendorId,
      entityType: incoming.entityType,
      entityKey: incoming.entityKey,
      reason: draft.reason,
      explanation: draft.message,
      fields: draft.diff.map((d) => d.field),
      recordVersion: draft.recordVersion,
      review: `npx vendor-sync conflicts show ${conflictId}   (or GET /admin/conflicts/${conflictId})`,
    },
    attributes: { vendorId: incoming.vendorId, kind: "conflict-opened" },
  };
}

/**
 * @returns the notification for a conflict closed because a newer change of its record was applied
 *   before anyone reviewed it (published once: only the call that closes it publishes).
 */
export function conflictSupersededNotification(conflictId: string, by: Change): OpsNotification {
  return {
    subject: `Conflict superseded: ${by.vendorId} ${by.entityType} ${by.entityKey}`.slice(0, 99),
    message: {
      kind: "conflict-superseded",
      conflictId,
      vendorId: by.vendorId,
      entityType: by.entityType,
      entityKey: by.entityKey,
      supersededBy: { eventId: by.eventId, sourceTs: new Date(by.sourceTs).toISOString() },
    },
    attributes: { vendorId: by.vendorId, kind: "conflict-superseded" },
  };
}
