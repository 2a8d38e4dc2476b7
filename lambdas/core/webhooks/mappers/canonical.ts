import * as v from "valibot";
import { type ChangeInput, ChangeInputSchema } from "../../change-input.ts";
import { ValidationError } from "../../errors.ts";
import { canonicalEventId } from "../event-identity.ts";
import { DecimalTextSchema, parseShape, SafeIntegerSchema, unixSecondsToMillis, utcMillis } from "../payload-fields.ts";
import type { WebhookMapping, WebhookMappingContext } from "../results.ts";

const SOURCE = "vendor:webhook" as const;
const Text = v.pipe(v.string(), v.trim(), v.nonEmpty());

/**
 * The envelope of a webhook in our canonical shape, signed with the Stripe-style or the Standard
 * Webhooks scheme (`payloadFormat: "canonical"`):
 *
 * ```json
 * { "id": "evt_…", "type": "product.updated", "created": 1741944412, "data": … }
 * { "type": "product.updated", "timestamp": "2025-03-14T09:26:53.000Z", "data": … }
 * ```
 *
 * - `id`: the event id (Stripe-style). With Standard Webhooks the signed `webhook-id` header is the
 *   event id and takes precedence.
 * - `type`: `<entity>.<action>`; an action of `deleted` turns snapshots into deletes.
 * - `created` (Unix seconds) or `timestamp` (ISO 8601): the event time, used for changes without one.
 * - `data`, one of:
 *   1. canonical changes: one {@link ChangeInput}, a list of them, or `{ "changes": [ … ] }` (the JSON
 *      Lines shape of docs/canonical-format.md; `source` is always `vendor:webhook`, whatever it says);
 *   2. an item snapshot `{ sku, name?, price?: { amount: "31.99", currency: "EUR" },
 *      compareAtPrice?: "34.00", quantity?, updatedAt? }` → `product`, `price` and `inventory` keyed by `sku`;
 *   3. a Stripe event object `{ object: { object: "product", id, name, active, metadata.vendor_sku, updated } }`
 *      → a `product` keyed by `metadata.vendor_sku` (else the Stripe id). Its `default_price` is only
 *      a Price id; prices arrive as their own events and are not mapped here.
 */
const EnvelopeSchema = v.looseObject({
  id: v.optional(Text),
  type: Text,
  created: v.optional(SafeIntegerSchema),
  timestamp: v.optional(v.string()),
  data: v.union([v.array(v.unknown()), v.record(v.string(), v.unknown())]),
});

const SnapshotSchema = v.looseObject({
  sku: Text,
  name: v.optional(v.string()),
  price: v.optional(v.looseObject({ amount: DecimalTextSchema, currency: Text })),
  compareAtPrice: v.nullish(DecimalTextSchema),
  quantity: v.optional(SafeIntegerSchema),
  updatedAt: v.optional(v.string()),
});

const StripeProductSchema = v.looseObject({
  object: v.literal("product"),
  id: Text,
  name: v.optional(v.string()),
  description: v.nullish(v.string()),
  active: v.optional(v.boolean()),
  metadata: v.nullish(v.record(v.string(), v.string())),
  updated: v.optional(SafeIntegerSchema),
});

type Envelope = v.InferOutput<typeof EnvelopeSchema>;

function envelopeTime(envelope: Envelope): number | undefined {
  if (envelope.timestamp !== undefined) return utcMillis(envelope.timestamp, "timestamp");
  if (envelope.created !== undefined) return unixSecondsToMillis(envelope.created, "created");
  return undefined;
}

function requireTime(time: number | undefined, field: string): number {
  if (time === undefined) throw new ValidationError(`${field}: the event has no time`, { field });
  return time;
}

function canonicalChanges(list: readonly unknown[], eventId: string, time: number | undefined): ChangeInput[] {
  return list.map((item, index) => {
    const change = parseShape(ChangeInputSchema, item, `data.${index}`);
    return {
      ...change,
      eventId: change.eventId ?? eventId,
      sourceTs: change.sourceTs ?? requireTime(time, `data.${index}.sourceTs`),
      // A vendor channel must not claim another source (admin edits outrank vendors).
      source: SOURCE,
    };
  });
}

function snapshotChanges(data: unknown, deleted: boolean, eventId: string, time: number | undefined): ChangeInput[] {
  const item = parseShape(SnapshotSchema, data, "data");
  const sourceTs = item.updatedAt ? utcMillis(item.updatedAt, "data.updatedAt") : requireTime(time, "data.updatedAt");
  const common = { entityKey: item.sku, eventId, sourceTs, source: SOURCE };
  if (deleted) {
    return (["product", "price", "inventory"] as const).map((entityType) => ({ ...common, entityType, op: "delete" }));
  }
  const changes: ChangeInput[] = [];
  if (item.name !== undefined)
    changes.push({ ...common, entityType: "product", op: "upsert", attributes: { title: item.name } });
  if (item.price) {
    changes.push({
      ...common,
      entityType: "price",
      op: "upsert",
      attributes: {
        amount: item.price.amount,
        currency: item.price.currency.toUpperCase(),
        ...(item.compareAtPrice !== undefined ? { compareAtAmount: item.compareAtPrice } : {}),
      },
    });
  }
  if (item.quantity !== undefined) {
    changes.push({ ...common, entityType: "inventory", op: "upsert", attributes: { available: item.quantity } });
  }
  if (changes.length === 0)
    throw new ValidationError("data: a snapshot needs name, price or quantity", { field: "data" });
  return changes;
}

function stripeProductChanges(
  object: unknown,
  deleted: boolean,
  eventId: string,
  time: number | undefined,
): ChangeInput[] {
  const product = parseShape(StripeProductSchema, object, "data.object");
  const sourceTs =
    product.updated !== undefined
      ? unixSecondsToMillis(product.updated, "data.object.updated")
      : requireTime(time, "created");
  const common = {
    entityType: "product" as const,
    entityKey: product.metadata?.vendor_sku?.trim() || product.id,
    eventId,
    sourceTs,
    source: SOURCE,
  };
  if (deleted) return [{ ...common, op: "delete" }];
  return [
    {
      ...common,
      op: "upsert",
      attributes: {
        ...(product.name !== undefined ? { title: product.name } : {}),
        ...(product.description !== undefined ? { description: product.description } : {}),
        ...(product.active !== undefined ? { status: product.active ? "active" : "archived" } : {}),
        extra: { platformId: product.id },
      },
    },
  ];
}

/**
 * Maps a verified webhook in our canonical shape (see the envelope described on `EnvelopeSchema`
 * above), as Stripe-style and Standard Webhooks senders deliver it.
 *
 * Event id: the signed `webhook-id` header (Standard Webhooks), else the body's `id` (Stripe event id).
 *
 * @throws {ValidationError} naming the field when the envelope or its data is malformed, or when
 *   neither an event id nor an event time can be found.
 * @see https://docs.stripe.com/api/events/object
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#payload-structure
 */
export function mapCanonicalWebhook(body: unknown, ctx: WebhookMappingContext): WebhookMapping {
  const envelope = parseShape(EnvelopeSchema, body);
  const eventId = canonicalEventId(ctx.signedEventId, envelope.id);
  const time = envelopeTime(envelope);
  const deleted = envelope.type.endsWith(".deleted");
  const data = envelope.data;
  let changes: ChangeInput[];
  if (Array.isArray(data)) changes = canonicalChanges(data, eventId, time);
  else if (Array.isArray(data.changes)) changes = canonicalChanges(data.changes, eventId, time);
  else if ("entityType" in data) changes = canonicalChanges([data], eventId, time);
  else if (typeof data.object === "object" && data.object !== null) {
    if ((data.object as { object?: unknown }).object !== "product") {
      return { kind: "ignored", reason: "unsupported-topic", detail: `event ${envelope.type}` };
    }
    changes = stripeProductChanges(data.object, deleted, eventId, time);
  } else changes = snapshotChanges(data, deleted, eventId, time);
  return { kind: "changes", eventId, changes };
}
