/**
 * Deletes that name a platform resource (a Shopify product id): a webhook may delete a product before
 * any update of it arrived, while records are keyed by handle or SKU, which the delete does not carry.
 * So the delete is remembered against the resource, and every change that carries the same resource
 * (`Change.resource`) and is older than the delete is applied as that delete: whatever order the
 * deliveries arrive in, the resource's records end deleted with the delete's time and event id.
 *
 * @see ../../../docs/conflict-rules.md
 */
import type { Change } from "../change.ts";
import type { PlatformResource } from "../change-input.ts";
import { compareStamps } from "../conflict-rules.ts";
import { contentHash } from "../content-hash.ts";
import type { EntityType, RecordKey, Source, Workflow } from "../model.ts";
import type { Stamp } from "../record.ts";

/** The records a resource's changes wrote, by type and key. */
export type ResourceRecord = Pick<RecordKey, "entityType" | "entityKey">;

/**
 * Where deletions and the records of platform resources are remembered (the sync table on AWS and in
 * the sandbox). Reads are strongly consistent: a delete and an update of one resource racing in two
 * processors must see each other.
 */
export interface PlatformResources {
  /** @returns the deletion remembered for each resource that has one, by {@link resourceId}. */
  deletions(vendorId: string, resources: readonly PlatformResource[]): Promise<Map<string, Stamp>>;
  /**
   * Remembers a deletion of a resource, keeping the newest one.
   * @returns the records remembered for the resource so far (to be deleted now).
   */
  rememberDeletion(vendorId: string, resource: PlatformResource, deletion: Stamp): Promise<ResourceRecord[]>;
  /** Remembers the records that changes carrying a resource address (a set union; idempotent). */
  remember(changes: readonly Change[]): Promise<void>;
}

/** @returns a stable id for a resource (map keys, logs). */
export function resourceId(resource: PlatformResource): string {
  return `${resource.type}\u001f${resource.id}`;
}

const DELETE_HASH = contentHash({ op: "delete", attributes: {} });

/** @returns the delete of one record that a remembered deletion stands for. */
export function deletionOf(
  record: ResourceRecord & { readonly vendorId: string },
  deletion: Stamp,
  origin: { readonly workflow: Workflow; readonly jobId: string; readonly line?: number },
): Change {
  return {
    vendorId: record.vendorId,
    entityType: record.entityType as EntityType,
    entityKey: record.entityKey,
    op: "delete",
    eventId: deletion.eventId,
    sourceTs: deletion.sourceTs,
    ...(deletion.sourceVersion === undefined ? {} : { sourceVersion: deletion.sourceVersion }),
    source: deletion.source,
    workflow: origin.workflow,
    jobId: origin.jobId,
    attributes: {},
    contentHash: DELETE_HASH,
    ...(origin.line === undefined ? {} : { line: origin.line }),
  };
}

/**
 * Applies remembered deletions to changes: a change carrying a deleted resource and older than its
 * deletion becomes that deletion (of the change's record); newer changes revive the record as usual.
 *
 * @returns the changes, and which of them were replaced.
 */
export function applyDeletions(
  changes: readonly Change[],
  deletions: ReadonlyMap<string, Stamp>,
  rank: (vendorId: string, entityType: EntityType) => (source: Source) => number,
): { changes: Change[]; replaced: boolean[] } {
  const replaced: boolean[] = [];
  const out = changes.map((change) => {
    const deletion = change.resource ? deletions.get(resourceId(change.resource)) : undefined;
    const older =
      deletion !== undefined && compareStamps(stampOf(change), deletion, rank(change.vendorId, change.entityType)) < 0;
    replaced.push(older);
    return older && deletion ? deletionOf(change, deletion, change) : change;
  });
  return { changes: out, replaced };
}

function stampOf(change: Change): Stamp {
  return {
    sourceTs: change.sourceTs,
    ...(change.sourceVersion === undefined ? {} : { sourceVersion: change.sourceVersion }),
    source: change.source,
    eventId: change.eventId,
  };
}

/** @returns the distinct resources changes carry. */
export function resourcesOf(changes: readonly Change[]): PlatformResource[] {
  const seen = new Map<string, PlatformResource>();
  for (const change of changes) if (change.resource) seen.set(resourceId(change.resource), change.resource);
  return [...seen.values()];
}
