import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Change } from "../../core/change.ts";
import type { PlatformKeyIndex, PlatformKeys, PlatformRef } from "../../core/webhooks/results.ts";
import { toStoreError } from "./errors.ts";

const keyOf = (vendorId: string, ref: PlatformRef) => ({
  pk: { S: `PLATFORM#${vendorId}#${ref.type}#${ref.id}` },
  sk: { S: "KEYS" },
});

/**
 * Record keys by platform id, per vendor, in the sync table (`PLATFORM#<vendor>#<type>#<id>`). Some
 * webhook payloads name only the platform's numeric id (a Shopify or WooCommerce delete, BigCommerce
 * inventory); the processor remembers the keys when it stores a product that carries
 * `attributes.extra.platformId`.
 */
export class DynamoPlatformKeyIndex {
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
        try {
          const response = await this.#client.send(
            new GetItemCommand({ TableName: this.#table, Key: keyOf(vendorId, ref), ConsistentRead: true }),
          );
          if (!response.Item) return undefined;
          const { entityKey, variantKeys } = unmarshall(response.Item) as PlatformKeys;
          return { entityKey, ...(variantKeys ? { variantKeys } : {}) };
        } catch (error) {
          throw toStoreError(error, "GetItem platform keys");
        }
      },
    };
  }

  /**
   * Remembers the keys of products (and variants) that carry a platform id, from changes that were
   * written. Idempotent (a put per product).
   */
  async remember(changes: readonly Change[]): Promise<void> {
    for (const change of changes) {
      if (change.entityType !== "product" || change.op !== "upsert") continue;
      const extra = change.attributes.extra as { platformId?: unknown } | null | undefined;
      const id = extra?.platformId;
      if (typeof id !== "string" && typeof id !== "number") continue;
      const ref: PlatformRef = { type: change.attributes.parentKey ? "variant" : "product", id: String(id) };
      const variantKeys = Array.isArray(change.attributes.variantKeys)
        ? (change.attributes.variantKeys as string[])
        : undefined;
      try {
        await this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: {
              ...keyOf(change.vendorId, ref),
              ...marshall({ entityKey: change.entityKey, ...(variantKeys ? { variantKeys } : {}) }),
            },
          }),
        );
      } catch (error) {
        throw toStoreError(error, "PutItem platform keys");
      }
    }
  }
}
