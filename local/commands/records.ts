import { ValidationError } from "../../lambdas/core/errors.ts";
import { normalizeKey } from "../../lambdas/core/keys.ts";
import { ENTITY_TYPES, type EntityType, recordId } from "../../lambdas/core/model.ts";
import type { SyncRecord } from "../../lambdas/core/record.ts";
import type { SandboxStore } from "../sandbox-store.ts";

export interface ListRecordsOptions {
  readonly vendorId: string;
  readonly entityType?: string;
  readonly entityKey?: string;
  /** @default 50 */
  readonly limit?: number;
}

/**
 * Looks up stored records with their provenance: one key (all its entity types, or one), or a
 * vendor's records through the sharded index.
 * @throws {ValidationError} for an unknown vendor or entity type.
 */
export async function listRecords(sandbox: SandboxStore, options: ListRecordsOptions): Promise<SyncRecord[]> {
  const vendor = sandbox.vendor(options.vendorId);
  if (options.entityType !== undefined && !ENTITY_TYPES.includes(options.entityType as EntityType)) {
    throw new ValidationError(
      `unknown entity type ${JSON.stringify(options.entityType)} (one of ${ENTITY_TYPES.join(", ")})`,
      {
        field: "--type",
      },
    );
  }
  const types = options.entityType ? [options.entityType as EntityType] : [...ENTITY_TYPES];
  if (options.entityKey !== undefined) {
    const entityKey = normalizeKey(options.entityKey, "--key");
    const keys = types.map((entityType) => ({ vendorId: vendor.id, entityType, entityKey }));
    const found = await sandbox.records.getMany(keys, { consistent: true });
    return keys.map((key) => found.get(recordId(key))).filter((r): r is SyncRecord => r !== undefined);
  }
  return sandbox.records.listByVendor(vendor.id, {
    ...(options.entityType ? { entityType: options.entityType as EntityType } : {}),
    limit: options.limit ?? 50,
  });
}

/** @returns records as a human-readable listing. */
export function formatRecords(records: readonly SyncRecord[]): string {
  if (records.length === 0) return "no records";
  return records
    .map((r) => {
      const attrs = JSON.stringify(r.attributes);
      return [
        `${r.entityType} ${r.entityKey}  v${r.version}${r.deleted ? "  DELETED" : ""}`,
        `  source ${r.source} at ${new Date(r.sourceTs).toISOString()}  event ${r.lastEventId}  job ${r.lastJobId}`,
        `  ${attrs.length > 160 ? `${attrs.slice(0, 157)}...` : attrs}`,
      ].join("\n");
    })
    .join("\n");
}
