import * as v from "valibot";
import { epochMs, mapEach, PULL_SOURCE, type PullMapper, type PullMapResult, parseRecord, Text } from "./mapping.ts";

const InventoryEntrySchema = v.looseObject({
  id: Text,
  sku: v.pipe(Text, v.minLength(1)),
  version: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  lastModifiedAt: Text,
  availableQuantity: v.pipe(v.number(), v.safeInteger()),
  quantityOnStock: v.optional(v.pipe(v.number(), v.safeInteger())),
  supplyChannel: v.optional(v.nullable(v.looseObject({ id: Text }))),
});

/**
 * commercetools inventory entries (`GET /<project>/inventory`, records at `results`).
 *
 * Each entry becomes an `inventory` change keyed by SKU: `available` is `availableQuantity` (stock on
 * hand minus reservations), `locationId` the supply channel id (`null` without one), the entry's
 * `version` the source version and `lastModifiedAt` the source time. One record is kept per SKU, so a
 * vendor that stocks one SKU in several supply channels needs one pull per channel (a `where` on
 * `supplyChannel(id=…)`), else the channels overwrite each other.
 *
 * @see https://docs.commercetools.com/api/projects/inventory#inventoryentry
 */
export const mapCommercetoolsInventory: PullMapper = (records): PullMapResult =>
  mapEach(records, (record) => {
    const entry = parseRecord(InventoryEntrySchema, record, "inventoryEntry");
    return [
      {
        entityType: "inventory",
        entityKey: entry.sku,
        sourceTs: epochMs(entry.lastModifiedAt, "lastModifiedAt"),
        sourceVersion: entry.version,
        source: PULL_SOURCE,
        attributes: { available: entry.availableQuantity, locationId: entry.supplyChannel?.id ?? null },
      },
    ];
  });
