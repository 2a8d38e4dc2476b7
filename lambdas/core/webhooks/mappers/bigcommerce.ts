import * as v from "valibot";
import type { ChangeInput } from "../../change-input.ts";
import { ValidationError } from "../../errors.ts";
import { bigCommerceEventId } from "../event-identity.ts";
import { IdSchema, parseShape, SafeIntegerSchema, unixSecondsToMillis } from "../payload-fields.ts";
import type { FetchResource, PlatformRef, WebhookMapping, WebhookMappingContext } from "../results.ts";

const SOURCE = "vendor:webhook" as const;

const NotificationSchema = v.looseObject({
  created_at: SafeIntegerSchema,
  scope: v.pipe(v.string(), v.nonEmpty()),
  hash: v.nullish(v.string()),
  data: v.looseObject({
    type: v.nullish(v.string()),
    id: IdSchema,
    inventory: v.nullish(
      v.looseObject({
        product_id: IdSchema,
        variant_id: v.nullish(IdSchema),
        method: v.picklist(["absolute", "relative"]),
        value: SafeIntegerSchema,
      }),
    ),
    status: v.nullish(
      v.looseObject({ previous_status_id: v.nullish(SafeIntegerSchema), new_status_id: SafeIntegerSchema }),
    ),
  }),
});

/**
 * BigCommerce's built-in order statuses by id, as its Order Status API names them.
 *
 * @see https://developer.bigcommerce.com/docs/store-operations/orders/order-statuses
 */
export const BIGCOMMERCE_ORDER_STATUSES: Readonly<Record<number, string>> = {
  0: "Incomplete",
  1: "Pending",
  2: "Shipped",
  3: "Partially Shipped",
  4: "Refunded",
  5: "Cancelled",
  6: "Declined",
  7: "Awaiting Payment",
  8: "Awaiting Pickup",
  9: "Awaiting Shipment",
  10: "Completed",
  11: "Awaiting Fulfillment",
  12: "Manual Verification Required",
  13: "Disputed",
  14: "Partially Refunded",
};

type Notification = v.InferOutput<typeof NotificationSchema>;

/**
 * Inventory scopes (`store/product/inventory/updated`, `store/sku/inventory/updated` and their
 * `…/order/updated` variants). The payload names only BigCommerce ids while inventory records are
 * keyed by SKU, so the key is looked up (variant first, else product) through the key index:
 *
 * - `method: "absolute"` → an `inventory` upsert with the new level;
 * - `method: "relative"` → an `inventory-delta` to add exactly once;
 * - key not known yet → `fetch` of the variant or product, whose current level supersedes the event.
 */
async function mapInventory(
  n: Notification,
  common: { eventId: string; sourceTs: number },
  ctx: WebhookMappingContext,
): Promise<WebhookMapping> {
  const inventory = n.data.inventory;
  if (!inventory) {
    throw new ValidationError("data.inventory: missing for an inventory scope", { field: "data.inventory" });
  }
  const ref: PlatformRef = inventory.variant_id
    ? { type: "variant", id: inventory.variant_id }
    : { type: "product", id: inventory.product_id };
  const keys = await ctx.keyIndex.find(ref);
  if (!keys) {
    const resource: FetchResource =
      ref.type === "variant" ? { type: "variant", id: ref.id, productId: inventory.product_id } : ref;
    return { kind: "fetch", ...common, resource, reason: "key-unknown" };
  }
  if (inventory.method === "relative") {
    return { kind: "inventory-delta", ...common, entityKey: keys.entityKey, delta: inventory.value };
  }
  const change: ChangeInput = {
    entityType: "inventory",
    entityKey: keys.entityKey,
    op: "upsert",
    ...common,
    source: SOURCE,
    attributes: { available: inventory.value },
  };
  return { kind: "changes", eventId: common.eventId, changes: [change] };
}

/** `store/order/statusUpdated`: the order's status record, keyed by the order id, named per {@link BIGCOMMERCE_ORDER_STATUSES}. */
function mapOrderStatus(n: Notification, common: { eventId: string; sourceTs: number }): WebhookMapping {
  const statusId = n.data.status?.new_status_id;
  if (statusId === undefined) {
    throw new ValidationError("data.status.new_status_id: missing", { field: "data.status.new_status_id" });
  }
  const status = BIGCOMMERCE_ORDER_STATUSES[statusId];
  if (!status) {
    throw new ValidationError(`data.status.new_status_id: unknown BigCommerce order status ${statusId}`, {
      field: "data.status.new_status_id",
      value: statusId,
    });
  }
  const change: ChangeInput = {
    entityType: "order",
    entityKey: n.data.id,
    op: "upsert",
    ...common,
    source: SOURCE,
    attributes: { status },
  };
  return { kind: "changes", eventId: common.eventId, changes: [change] };
}

/**
 * `store/product/deleted`: remembered against the BigCommerce product id; tombstones the records the
 * product's changes wrote (see `platform-resources.ts`).
 */
function mapProductDeleted(n: Notification, common: { eventId: string; sourceTs: number }): WebhookMapping {
  return { kind: "platform-delete", ...common, resource: { type: "product", id: n.data.id } };
}

/**
 * Maps a verified BigCommerce callback. BigCommerce sends thin notifications: besides inventory and
 * order-status scopes the body names only the resource, so most scopes become a `fetch`.
 *
 * Identity is the body `hash` (same for every delivery of one event), time is `created_at` (Unix s).
 *
 * @param raw - the body bytes, for the event id of a body without `hash`.
 * @throws {ValidationError} naming the field when the body is not a BigCommerce callback.
 * @see https://developer.bigcommerce.com/docs/integrations/webhooks/events
 */
export async function mapBigCommerceWebhook(
  body: unknown,
  raw: Uint8Array,
  ctx: WebhookMappingContext,
): Promise<WebhookMapping> {
  const n = parseShape(NotificationSchema, body);
  const common = {
    eventId: bigCommerceEventId(n.hash ?? undefined, raw),
    sourceTs: unixSecondsToMillis(n.created_at, "created_at"),
  };
  const scope = n.scope;
  if (/^store\/(product|sku)\/inventory\/(order\/)?updated$/.test(scope)) return mapInventory(n, common, ctx);
  if (scope === "store/order/statusUpdated") return mapOrderStatus(n, common);
  if (scope === "store/product/deleted") return mapProductDeleted(n, common);
  const thin = /^store\/(product|sku|order)\/(created|updated)$/.exec(scope);
  if (thin) {
    const type = thin[1] as string;
    return { kind: "fetch", ...common, resource: { type, id: n.data.id }, reason: "thin-notification" };
  }
  return { kind: "ignored", reason: "unsupported-topic", detail: `BigCommerce scope ${scope}` };
}
