import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Change } from "../../core/change.ts";
import type { PlatformResource } from "../../core/change-input.ts";
import { type PlatformResources, type ResourceRecord, resourceId } from "../../core/changes/platform-resources.ts";
import type { EntityType, Source } from "../../core/model.ts";
import type { Stamp } from "../../core/record.ts";
import type { PlatformKeyIndex, PlatformKeys } from "../../core/webhooks/results.ts";
import { isConditionalCheckFailed, toStoreError } from "./errors.ts";

const keyOf = (vendorId: string, ref: PlatformResource) => ({
  pk: { S: `PLATFORM#${vendorId}#${ref.type}#${ref.id}` },
  sk: { S: "KEYS" },
});

/** One platform resource's item as stored. */
interface ResourceItem {
  readonly entityKey?: string;
  readonly variantKeys?: string[];
  /** `entityType<TAB>entityKey` of every record the resource's changes addressed (a string set). */
  readonly records?: Set<string>;
  readonly deletedTs?: number;
  readonly deletedVersion?: number;
  readonly deletedSource?: Source;
  readonly deletedEventId?: string;
}

const recordOf = (entry: string): ResourceRecord => {
  const tab = entry.indexOf("\t");
  return { entityType: entry.slice(0, tab) as EntityType, entityKey: entry.slice(tab + 1) };
};

function deletionOf(item: ResourceItem): Stamp | undefined {
  if (item.deletedTs === undefined || item.deletedEventId === undefined || item.deletedSource === undefined) {
    return undefined;
  }
  return {
    sourceTs: item.deletedTs,
    ...(item.deletedVersion === undefined ? {} : { sourceVersion: item.deletedVersion }),
    source: item.deletedSource,
    eventId: item.deletedEventId,
  };
}

/**
 * Platform resources per vendor in the sync table (`PLATFORM#<vendor>#<type>#<id>`): the record keys
 * a resource's changes addressed, and the newest delete that named it. Some webhook payloads name only
 * the platform's numeric id (a Shopify or WooCommerce delete, BigCommerce inventory); mapped changes
 * carry the id as `resource` (and products as `attributes.extra.platformId`).
 *
 * Costs: a change carrying a resource adds, per batch, one consistent BatchGetItem of the resources'
 * items before deciding (1 RCU per resource) and one after writing, plus one UpdateItem per resource
 * (1 WCU) to remember its records.
 */
export class DynamoPlatformKeyIndex implements PlatformResources {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#table = options.tableName;
  }

  /** @returns the index as the webhook mappers use it, for one vendor. */
  forVendor(vendorId: string): PlatformKeyIndex {
    return {
      find: async (ref) => {
        const item = await this.#get(vendorId, ref);
        if (!item?.entityKey) return undefined;
        const keys: PlatformKeys = {
          entityKey: item.entityKey,
          ...(item.variantKeys ? { variantKeys: item.variantKeys } : {}),
        };
        return keys;
      },
    };
  }

  async deletions(vendorId: string, resources: readonly PlatformResource[]): Promise<Map<string, Stamp>> {
    const found = new Map<string, Stamp>();
    for (let start = 0; start < resources.length; start += 100) {
      const slice = resources.slice(start, start + 100);
      let pending: Record<string, AttributeValue>[] = slice.map((ref) => keyOf(vendorId, ref));
      for (let attempt = 0; pending.length > 0 && attempt < 8; attempt++) {
        try {
          const response = await this.#client.send(
            new BatchGetItemCommand({
              RequestItems: {
                [this.#table]: {
                  Keys: pending,
                  ConsistentRead: true,
                  ProjectionExpression: "pk, deletedTs, deletedVersion, deletedSource, deletedEventId",
                },
              },
            }),
          );
          for (const raw of response.Responses?.[this.#table] ?? []) {
            const { pk, ...item } = unmarshall(raw) as ResourceItem & { pk: string };
            const deletion = deletionOf(item);
            const ref = slice.find((r) => keyOf(vendorId, r).pk.S === pk);
            if (deletion && ref) found.set(resourceId(ref), deletion);
          }
          pending = response.UnprocessedKeys?.[this.#table]?.Keys ?? [];
        } catch (error) {
          throw toStoreError(error, "BatchGetItem platform resources");
        }
      }
    }
    return found;
  }

  async rememberDeletion(vendorId: string, resource: PlatformResource, deletion: Stamp): Promise<ResourceRecord[]> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyOf(vendorId, resource),
          UpdateExpression:
            deletion.sourceVersion === undefined
              ? "SET deletedTs = :ts, deletedSource = :source, deletedEventId = :event REMOVE deletedVersion"
              : "SET deletedTs = :ts, deletedSource = :source, deletedEventId = :event, deletedVersion = :version",
          // Keep the newest delete: by time, then event id (the stamps' own tie-breakers).
          ConditionExpression:
            "attribute_not_exists(deletedTs) OR deletedTs < :ts OR (deletedTs = :ts AND deletedEventId < :event)",
          ExpressionAttributeValues: marshall({
            ":ts": deletion.sourceTs,
            ":source": deletion.source,
            ":event": deletion.eventId,
            ...(deletion.sourceVersion === undefined ? {} : { ":version": deletion.sourceVersion }),
          }),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw toStoreError(error, "UpdateItem platform deletion");
    }
    const item = await this.#get(vendorId, resource);
    if (!item) return [];
    if (item.records && item.records.size > 0) return [...item.records].sort().map(recordOf);
    // Keys remembered before records were: the product and, per variant, its records.
    if (!item.entityKey) return [];
    const out: ResourceRecord[] = [{ entityType: "product", entityKey: item.entityKey }];
    for (const key of item.variantKeys ?? [item.entityKey]) {
      if (key !== item.entityKey) out.push({ entityType: "product", entityKey: key });
      out.push({ entityType: "price", entityKey: key }, { entityType: "inventory", entityKey: key });
    }
    return out;
  }

  /**
   * Remembers, per resource, the records its changes address (a set union), and the keys of products
   * and variants that carry `attributes.extra.platformId` (for payloads that name only that id).
   * Idempotent.
   */
  async remember(changes: readonly Change[]): Promise<void> {
    const byResource = new Map<string, { vendorId: string; ref: PlatformResource; records: Set<string> }>();
    for (const change of changes) {
      if (!change.resource) continue;
      const id = `${change.vendorId}\u001f${resourceId(change.resource)}`;
      const entry = byResource.get(id) ?? { vendorId: change.vendorId, ref: change.resource, records: new Set() };
      entry.records.add(`${change.entityType}\t${change.entityKey}`);
      byResource.set(id, entry);
    }
    for (const { vendorId, ref, records } of byResource.values()) {
      await this.#update(vendorId, ref, "ADD #records :records", { "#records": "records" }, { ":records": records });
    }
    for (const change of changes) {
      if (change.entityType !== "product" || change.op !== "upsert") continue;
      const extra = change.attributes.extra as { platformId?: unknown } | null | undefined;
      const id = extra?.platformId;
      if (typeof id !== "string" && typeof id !== "number") continue;
      const ref: PlatformResource = { type: change.attributes.parentKey ? "variant" : "product", id: String(id) };
      const variantKeys = Array.isArray(change.attributes.variantKeys)
        ? (change.attributes.variantKeys as string[])
        : undefined;
      await this.#update(
        change.vendorId,
        ref,
        `SET entityKey = :key${variantKeys ? ", variantKeys = :variants" : ""}`,
        undefined,
        { ":key": change.entityKey, ...(variantKeys ? { ":variants": variantKeys } : {}) },
      );
    }
  }

  async #update(
    vendorId: string,
    ref: PlatformResource,
    expression: string,
    names: Record<string, string> | undefined,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: keyOf(vendorId, ref),
          UpdateExpression: expression,
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: marshall(values),
        }),
      );
    } catch (error) {
      throw toStoreError(error, "UpdateItem platform keys");
    }
  }

  async #get(vendorId: string, ref: PlatformResource): Promise<ResourceItem | undefined> {
    try {
      const response = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: keyOf(vendorId, ref), ConsistentRead: true }),
      );
      return response.Item ? (unmarshall(response.Item) as ResourceItem) : undefined;
    } catch (error) {
      throw toStoreError(error, "GetItem platform keys");
    }
  }
}
