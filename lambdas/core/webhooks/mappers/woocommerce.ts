import * as v from "valibot";
import type { ChangeInput } from "../../change-input.ts";
import { WOOCOMMERCE_BACKORDERS, WOOCOMMERCE_STATUS } from "../../pull/woocommerce-rest.ts";
import { wooCommerceDeliveryEventId, wooCommerceEventId } from "../event-identity.ts";
import { getHeader } from "../headers.ts";
import { IdSchema, parseShape, SafeIntegerSchema, utcMillis } from "../payload-fields.ts";
import type { WebhookMapping, WebhookMappingContext } from "../results.ts";

const SOURCE = "vendor:webhook" as const;
const text = () => v.nullish(v.string());
/** WooCommerce writes prices as decimal text without fixed decimals (`"18"`), or `""` when unset. */
const PriceTextSchema = v.nullish(
  v.pipe(v.string(), v.trim(), v.regex(/^(?:-?\d+(?:\.\d+)?)?$/, "must be a decimal amount as text")),
);
/** `*_gmt` dates: UTC without a zone designator. */
const GmtSchema = v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, "must be YYYY-MM-DDThh:mm:ss"));
const NamedList = v.nullish(v.array(v.looseObject({ name: v.string() })));

const ProductSchema = v.looseObject({
  id: IdSchema,
  parent_id: v.nullish(IdSchema),
  name: v.string(),
  type: text(),
  status: text(),
  description: text(),
  short_description: text(),
  sku: text(),
  price: PriceTextSchema,
  regular_price: PriceTextSchema,
  sale_price: PriceTextSchema,
  manage_stock: v.nullish(v.union([v.boolean(), v.string()])),
  stock_quantity: v.nullish(SafeIntegerSchema),
  backorders: text(),
  date_modified_gmt: v.nullish(GmtSchema),
  date_created_gmt: v.nullish(GmtSchema),
  categories: NamedList,
  tags: NamedList,
  images: v.nullish(v.array(v.looseObject({ src: v.string() }))),
});

const OrderSchema = v.looseObject({
  id: IdSchema,
  status: v.pipe(v.string(), v.nonEmpty()),
  currency: v.pipe(v.string(), v.nonEmpty()),
  total: v.pipe(v.string(), v.trim(), v.regex(/^-?\d+(?:\.\d+)?$/, "must be a decimal amount as text")),
  date_created_gmt: v.nullish(GmtSchema),
  date_modified_gmt: v.nullish(GmtSchema),
  line_items: v.nullish(v.array(v.unknown())),
});

/**
 * Key of a WooCommerce product record: its SKU (WooCommerce's CSV import and export key products by
 * SKU), else `id/<product id>` so an unkeyed product can never collide with a numeric SKU.
 */
export function wooCommerceProductKey(sku: string | null | undefined, id: string): string {
  return sku?.trim() || `id/${id}`;
}

/**
 * `product.created`, `product.updated`, `product.restored` (variations arrive as `product.updated`
 * for the variation id):
 *
 * - `product` keyed by {@link wooCommerceProductKey}, with `extra.platformId` (and
 *   `extra.parentPlatformId` for variations, whose parent SKU the payload does not carry);
 * - `price`: `amount` = `price` (what the customer pays now) and `compareAtAmount` = `regular_price`
 *   while on sale, both as the payload's text (`"18"`, `"20"`); `price_html` is display markup and
 *   ignored; no currency is in the payload, so the vendor's default applies;
 * - `inventory` when WooCommerce manages stock for this product (`manage_stock: true`).
 *
 * Time and identity come from `date_modified_gmt` (UTC without zone designator).
 */
function mapProduct(body: unknown): WebhookMapping {
  const product = parseShape(ProductSchema, body);
  const modified = product.date_modified_gmt ?? product.date_created_gmt;
  const sourceTs = utcMillis(modified ?? "", "date_modified_gmt");
  const eventId = wooCommerceEventId("product", product.id, modified as string);
  const entityKey = wooCommerceProductKey(product.sku, product.id);
  const common = { entityKey, op: "upsert" as const, eventId, sourceTs, source: SOURCE };
  const parentId = product.parent_id && product.parent_id !== "0" ? product.parent_id : undefined;
  const status = product.status ? WOOCOMMERCE_STATUS[product.status] : undefined;
  const changes: ChangeInput[] = [
    {
      ...common,
      entityType: "product",
      attributes: {
        title: product.name,
        description: product.description ?? null,
        shortDescription: product.short_description ?? null,
        ...(status ? { status } : {}),
        ...(product.categories ? { categories: product.categories.map((c) => c.name) } : {}),
        ...(product.tags ? { tags: product.tags.map((t) => t.name) } : {}),
        ...(product.images ? { images: product.images.map((i) => i.src) } : {}),
        extra: { platformId: product.id, ...(parentId ? { parentPlatformId: parentId } : {}) },
      },
    },
  ];
  const resource = { type: "product" as const, id: String(product.id) };
  if (product.price) {
    const onSale = !!product.sale_price && !!product.regular_price && product.regular_price !== product.price;
    changes.push({
      ...common,
      entityType: "price",
      attributes: { amount: product.price, compareAtAmount: onSale ? product.regular_price : null },
    });
  }
  if (product.manage_stock === true && product.stock_quantity !== null && product.stock_quantity !== undefined) {
    const backorders = product.backorders ? WOOCOMMERCE_BACKORDERS[product.backorders] : undefined;
    changes.push({
      ...common,
      entityType: "inventory",
      attributes: { available: product.stock_quantity, ...(backorders ? { backorders } : {}) },
    });
  }
  return { kind: "changes", eventId, changes: changes.map((change) => ({ ...change, resource })) };
}

/**
 * `product.deleted` fires when a product is moved to the trash; the body is only `{"id"}`. The delete
 * is remembered against the WooCommerce id and tombstones the records the product's changes wrote (its
 * product, price and inventory), at the arrival time (the payload has none). A permanent delete that skips the trash sends nothing at all, so
 * deletions must also be reconciled by pulls.
 */
function mapProductDelete(body: unknown, ctx: WebhookMappingContext): WebhookMapping {
  const { id } = parseShape(v.strictObject({ id: IdSchema }), body);
  const eventId = wooCommerceDeliveryEventId("product", id, ctx.headers);
  return { kind: "platform-delete", eventId, sourceTs: ctx.receivedAt, resource: { type: "product", id: String(id) } };
}

/**
 * `order.created`, `order.updated`: the order's status record keyed by the order id, with `total` (a
 * string) in `currency`. Line-item `price` is a float in WooCommerce and is ignored; no personal data
 * is copied.
 */
function mapOrder(body: unknown): WebhookMapping {
  const order = parseShape(OrderSchema, body);
  const modified = order.date_modified_gmt ?? order.date_created_gmt;
  const eventId = wooCommerceEventId("order", order.id, modified ?? "");
  return {
    kind: "changes",
    eventId,
    changes: [
      {
        entityType: "order",
        entityKey: order.id,
        op: "upsert",
        eventId,
        sourceTs: utcMillis(modified ?? "", "date_modified_gmt"),
        source: SOURCE,
        attributes: {
          status: order.status,
          totalAmount: order.total,
          currency: order.currency.toUpperCase(),
          ...(order.date_created_gmt ? { placedAt: utcMillis(order.date_created_gmt, "date_created_gmt") } : {}),
          ...(order.line_items ? { lineItemCount: order.line_items.length } : {}),
        },
      },
    ],
  };
}

/**
 * Maps a verified WooCommerce webhook by its `X-WC-Webhook-Topic` header. (The creation ping never
 * gets here: signature verification reports it as a ping.)
 *
 * @throws {ValidationError} naming the field when the payload does not have the topic's shape.
 * @see https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
 */
export async function mapWooCommerceWebhook(body: unknown, ctx: WebhookMappingContext): Promise<WebhookMapping> {
  const topic = getHeader(ctx.headers, "X-WC-Webhook-Topic")?.trim() ?? "";
  switch (topic) {
    case "product.created":
    case "product.updated":
    case "product.restored":
      return mapProduct(body);
    case "product.deleted":
      return mapProductDelete(body, ctx);
    case "order.created":
    case "order.updated":
      return mapOrder(body);
    default:
      return { kind: "ignored", reason: "unsupported-topic", detail: `WooCommerce topic ${topic}` };
  }
}
