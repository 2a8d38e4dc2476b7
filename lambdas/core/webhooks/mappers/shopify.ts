import * as v from "valibot";
import type { ChangeInput } from "../../change-input.ts";
import { setDataKey } from "../../data-keys.ts";
import { ValidationError } from "../../errors.ts";
import { shopifyVariantKey } from "../../formats/shopify-csv.ts";
import { shopifyEventId } from "../event-identity.ts";
import { getHeader } from "../headers.ts";
import { DecimalTextSchema, IdSchema, parseShape, SafeIntegerSchema, utcMillis } from "../payload-fields.ts";
import type { WebhookMapping, WebhookMappingContext } from "../results.ts";

const SOURCE = "vendor:webhook" as const;
const text = () => v.nullish(v.string());

const VariantSchema = v.looseObject({
  id: IdSchema,
  sku: text(),
  title: text(),
  price: DecimalTextSchema,
  compare_at_price: v.nullish(DecimalTextSchema),
  option1: text(),
  option2: text(),
  option3: text(),
  barcode: text(),
  inventory_item_id: v.nullish(IdSchema),
  inventory_quantity: v.nullish(SafeIntegerSchema),
  inventory_policy: text(),
});

const ProductSchema = v.looseObject({
  id: IdSchema,
  handle: v.pipe(v.string(), v.trim(), v.nonEmpty()),
  title: v.pipe(v.string(), v.nonEmpty()),
  body_html: text(),
  vendor: text(),
  product_type: text(),
  status: text(),
  tags: text(),
  updated_at: v.string(),
  variants: v.array(VariantSchema),
  options: v.nullish(v.array(v.looseObject({ name: v.string() }))),
  images: v.nullish(v.array(v.looseObject({ src: v.string() }))),
  variant_gids: v.nullish(v.array(v.unknown())),
});

const InventoryLevelSchema = v.looseObject({
  inventory_item_id: IdSchema,
  location_id: IdSchema,
  available: v.nullable(SafeIntegerSchema),
  updated_at: v.string(),
});

const MoneySetSchema = v.looseObject({
  shop_money: v.looseObject({ amount: DecimalTextSchema, currency_code: v.string() }),
});

const OrderSchema = v.looseObject({
  id: IdSchema,
  updated_at: v.string(),
  created_at: v.string(),
  cancelled_at: text(),
  closed_at: text(),
  financial_status: text(),
  fulfillment_status: text(),
  currency: v.string(),
  total_price: DecimalTextSchema,
  total_price_set: v.nullish(MoneySetSchema),
  line_items: v.nullish(v.array(v.unknown())),
});

/** Shopify's product statuses; anything newer is left as stored rather than guessed. */
const PRODUCT_STATUSES = new Set(["active", "draft", "archived"]);

/**
 * `products/create` and `products/update`: the same records the Shopify CSV import writes, so a file
 * and a webhook about one product converge:
 *
 * - one `product` record keyed by the handle (title, description, brand, type, tags, status, images,
 *   variant keys, `extra.platformId` = the Shopify product id for later deletes);
 * - per variant, keyed by {@link shopifyVariantKey} (SKU, else `handle/Option values`): a `price`
 *   (`amount` and `compareAtAmount` as the payload's decimal text; the shop currency is not in the
 *   payload, so `toChange` applies the vendor's default currency), an `inventory` (the variant's total
 *   `inventory_quantity`, when sent), and for products with options a variant `product` record with
 *   `parentKey` = the handle.
 *
 * Every change takes the product's `updated_at` as its time: the payload is a snapshot of the whole
 * product at that moment. Headers such as `X-Shopify-Triggered-At` are not signed, so body times are
 * preferred. `variantKeys` is left out when Shopify truncated the variant list (it sends at most 100
 * full variants; `variant_gids` lists them all), rather than shrinking the stored list.
 */
function mapProductUpdate(body: unknown, eventId: string): WebhookMapping {
  const product = parseShape(ProductSchema, body);
  const sourceTs = utcMillis(product.updated_at, "updated_at");
  const handle = product.handle;
  const optionNames = (product.options ?? []).map((option) => option.name);
  const hasOptions = optionNames.some((name) => name && name !== "Title");
  const common = { op: "upsert" as const, eventId, sourceTs, source: SOURCE };
  const variantChanges: ChangeInput[] = [];
  const variantKeys: string[] = [];

  product.variants.forEach((variant, index) => {
    const values = [variant.option1, variant.option2, variant.option3];
    const key = shopifyVariantKey(handle, variant.sku, values);
    if (variantKeys.includes(key)) {
      throw new ValidationError(`variants.${index}: duplicate variant key ${key}`, {
        field: `variants.${index}.sku`,
        value: variant.sku,
      });
    }
    variantKeys.push(key);
    if (hasOptions) {
      const options: Record<string, string> = {};
      optionNames.forEach((name, i) => {
        const value = values[i]?.trim();
        if (name && value) setDataKey(options, name, value);
      });
      variantChanges.push({
        ...common,
        entityType: "product",
        entityKey: key,
        attributes: {
          title: `${product.title} - ${values.filter(Boolean).join(" / ")}`,
          parentKey: handle,
          options,
          barcode: variant.barcode?.trim() || null,
          extra: {
            platformId: variant.id,
            ...(variant.inventory_item_id ? { inventoryItemId: variant.inventory_item_id } : {}),
          },
        },
      });
    }
    variantChanges.push({
      ...common,
      entityType: "price",
      entityKey: key,
      attributes: { amount: variant.price, compareAtAmount: variant.compare_at_price ?? null },
    });
    if (variant.inventory_quantity !== undefined && variant.inventory_quantity !== null) {
      variantChanges.push({
        ...common,
        entityType: "inventory",
        entityKey: key,
        attributes: {
          available: variant.inventory_quantity,
          ...(variant.inventory_policy
            ? { backorders: variant.inventory_policy === "continue" ? "allow" : "deny" }
            : {}),
        },
      });
    }
  });

  const complete = !product.variant_gids || product.variant_gids.length <= product.variants.length;
  const status = product.status?.toLowerCase();
  const productChange: ChangeInput = {
    ...common,
    entityType: "product",
    entityKey: handle,
    attributes: {
      title: product.title,
      description: product.body_html ?? null,
      brand: product.vendor?.trim() || null,
      productType: product.product_type?.trim() || null,
      tags: (product.tags ?? "")
        .split(",")
        .map((tag) => tag.trim())
        .filter(Boolean),
      ...(status && PRODUCT_STATUSES.has(status) ? { status: status as "active" | "draft" | "archived" } : {}),
      images: (product.images ?? []).map((image) => image.src),
      ...(complete ? { variantKeys } : {}),
      extra: { platformId: product.id },
    },
  };
  // A products/delete names only this id: every record of the product carries it (platform-resources.ts).
  const resource = { type: "product" as const, id: String(product.id) };
  return {
    kind: "changes",
    eventId,
    changes: [productChange, ...variantChanges].map((change) => ({ ...change, resource })),
  };
}

/**
 * `products/delete`: the body is only `{"id": …}`, while product records are keyed by handle (as the
 * CSV import keys them). The delete is remembered against the Shopify product id and tombstones every
 * record the product's changes wrote (the product, its variant products, prices and inventories);
 * changes of the product older than the delete that arrive later are deleted too, so a delete that
 * arrives before the product's updates still wins (see `platform-resources.ts`).
 *
 * The body must be exactly `{"id"}`: the topic header is not signed, so a replayed update body sent
 * with a `products/delete` topic is refused instead of deleting the product.
 *
 * The time is `X-Shopify-Triggered-At` (the payload has none), else the arrival time.
 */
function mapProductDelete(body: unknown, eventId: string, ctx: WebhookMappingContext): WebhookMapping {
  const { id } = parseShape(v.strictObject({ id: IdSchema }), body);
  const triggeredAt = getHeader(ctx.headers, "X-Shopify-Triggered-At");
  const sourceTs = triggeredAt ? utcMillis(triggeredAt, "headers.X-Shopify-Triggered-At") : ctx.receivedAt;
  return { kind: "platform-delete", eventId, sourceTs, resource: { type: "product", id: String(id) } };
}

/**
 * `inventory_levels/update`: one level per inventory item and location, keyed
 * `<inventory_item_id>@<location_id>` (ids as text, every digit kept). These per-location records are
 * separate from the variant totals the CSV import and `products/update` write under the variant key:
 * the payload names neither SKU nor handle, and a location's level is a different fact from the
 * total. `extra.inventoryItemId` on variant product records links the two.
 *
 * `available: null` means Shopify stopped tracking the item at that location. The canonical
 * inventory schema has no null `available`, so the level record is tombstoned; a later tracked level
 * (newer `updated_at`) revives it.
 */
function mapInventoryLevel(body: unknown, eventId: string): WebhookMapping {
  const level = parseShape(InventoryLevelSchema, body);
  const entityKey = `${level.inventory_item_id}@${level.location_id}`;
  const sourceTs = utcMillis(level.updated_at, "updated_at");
  const change: ChangeInput =
    level.available === null
      ? { entityType: "inventory", entityKey, op: "delete", eventId, sourceTs, source: SOURCE }
      : {
          entityType: "inventory",
          entityKey,
          op: "upsert",
          eventId,
          sourceTs,
          source: SOURCE,
          attributes: { available: level.available, locationId: level.location_id },
        };
  return { kind: "changes", eventId, changes: [change] };
}

/**
 * `orders/create`, `orders/updated`…: the order's status record, keyed by the Shopify order id.
 * `status` is Shopify's order state (`cancelled`, `closed` or `open`, from `cancelled_at`/`closed_at`);
 * `fulfillmentStatus` `null` means nothing is fulfilled yet (`"unfulfilled"`). The total is the shop
 * money (`total_price_set.shop_money`, else `total_price` in `currency`), never the presentment money
 * the customer saw. No personal data is copied.
 *
 * @see https://shopify.dev/docs/api/admin-rest/latest/resources/order
 */
function mapOrder(body: unknown, eventId: string): WebhookMapping {
  const order = parseShape(OrderSchema, body);
  const shopMoney = order.total_price_set?.shop_money;
  const status = order.cancelled_at ? "cancelled" : order.closed_at ? "closed" : "open";
  return {
    kind: "changes",
    eventId,
    changes: [
      {
        entityType: "order",
        entityKey: order.id,
        op: "upsert",
        eventId,
        sourceTs: utcMillis(order.updated_at, "updated_at"),
        source: SOURCE,
        attributes: {
          status,
          financialStatus: order.financial_status ?? null,
          fulfillmentStatus: order.fulfillment_status ?? "unfulfilled",
          totalAmount: shopMoney?.amount ?? order.total_price,
          currency: (shopMoney?.currency_code ?? order.currency).toUpperCase(),
          placedAt: utcMillis(order.created_at, "created_at"),
          ...(order.line_items ? { lineItemCount: order.line_items.length } : {}),
        },
      },
    ],
  };
}

/**
 * Maps a verified Shopify webhook by its `X-Shopify-Topic` header.
 *
 * @param body - the parsed body (from `parseJsonBody`, ids above 2^53 kept exact).
 * @throws {ValidationError} naming the field when the payload does not have the topic's shape.
 * @see https://shopify.dev/docs/api/webhooks (topic payloads)
 */
export async function mapShopifyWebhook(body: unknown, ctx: WebhookMappingContext): Promise<WebhookMapping> {
  const eventId = shopifyEventId(ctx.headers);
  const topic = getHeader(ctx.headers, "X-Shopify-Topic")?.trim() ?? "";
  switch (topic) {
    case "products/create":
    case "products/update":
      return mapProductUpdate(body, eventId);
    case "products/delete":
      return mapProductDelete(body, eventId, ctx);
    case "inventory_levels/connect":
    case "inventory_levels/update":
      return mapInventoryLevel(body, eventId);
    case "orders/create":
    case "orders/updated":
    case "orders/paid":
    case "orders/fulfilled":
    case "orders/partially_fulfilled":
    case "orders/cancelled":
      return mapOrder(body, eventId);
    default:
      return { kind: "ignored", reason: "unsupported-topic", detail: `Shopify topic ${topic}` };
  }
}
