import { ValidationError } from "../../lambdas/core/errors.ts";
import { normalizeKey } from "../../lambdas/core/keys.ts";
import { ENTITY_TYPES, type EntityType, recordId } from "../../lambdas/core/model.ts";
import { formatMoney } from "../../lambdas/core/money.ts";
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

/** Money attributes, stored as integer minor units beside a `currency` attribute. */
const MONEY_FIELDS = ["amount", "compareAtAmount", "costAmount", "totalAmount"] as const;

/**
 * @returns a record's money as people read it (`{ amount: "119.90 EUR" }`, the currency's exponent
 * applied), or `undefined` when it holds none.
 */
export function formattedMoney(record: SyncRecord): Record<string, string> | undefined {
  const attributes = record.attributes as Record<string, unknown>;
  const currency = attributes.currency;
  if (typeof currency !== "string") return undefined;
  const out: Record<string, string> = {};
  for (const field of MONEY_FIELDS) {
    const amount = attributes[field];
    if (typeof amount === "number" && Number.isSafeInteger(amount)) out[field] = formatMoney({ amount, currency });
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Records as `records --json` prints them: stored attributes (money in minor units), and `formatted` money beside them. */
export function recordsForJson(records: readonly SyncRecord[]) {
  return records.map((record) => {
    const formatted = formattedMoney(record);
    return formatted ? { ...record, formatted } : record;
  });
}

/** @returns records as a human-readable listing, money as "119.90 EUR". */
export function formatRecords(records: readonly SyncRecord[]): string {
  if (records.length === 0) return "no records";
  return records
    .map((r) => {
      const money = formattedMoney(r);
      const shown: Record<string, unknown> = { ...r.attributes, ...money };
      if (money) delete shown.currency;
      const attrs = JSON.stringify(shown);
      return [
        `${r.entityType} ${r.entityKey}  v${r.version}${r.deleted ? "  DELETED" : ""}`,
        `  source ${r.source} at ${new Date(r.sourceTs).toISOString()}  event ${r.lastEventId}  job ${r.lastJobId}`,
        `  ${attrs.length > 160 ? `${attrs.slice(0, 157)}...` : attrs}`,
      ].join("\n");
    })
    .join("\n");
}
