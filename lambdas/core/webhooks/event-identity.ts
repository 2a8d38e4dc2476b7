import { createHash } from "node:crypto";
import { ValidationError } from "../errors.ts";
import { getHeader, type WebhookHeaders } from "./headers.ts";

/**
 * Stable event ids, one per platform: the same event delivered again (a retry, a redelivery, a
 * replay from the DLQ) always gets the same id, so de-duplication and the write path's
 * "re-applying an eventId is a no-op" hold (docs/architecture.md, "Records, changes and outcomes"). All ids are at most 256 characters.
 */

function required(headers: WebhookHeaders, name: string): string {
  const value = getHeader(headers, name)?.trim();
  if (!value) throw new ValidationError(`missing header ${name}`, { field: `headers.${name}` });
  return value;
}

/**
 * Shopify: `<topic>:<X-Shopify-Event-Id>` (falling back to `X-Shopify-Webhook-Id` for deliveries
 * without an event id). The event id is shared by every delivery caused by one merchant action, so
 * the topic keeps the deliveries of different topics for the same action apart.
 *
 * @throws {ValidationError} when the topic or both id headers are missing.
 * @see https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates
 */
export function shopifyEventId(headers: WebhookHeaders): string {
  const topic = required(headers, "X-Shopify-Topic");
  const id = getHeader(headers, "X-Shopify-Event-Id")?.trim() || required(headers, "X-Shopify-Webhook-Id");
  return `${topic}:${id}`;
}

/**
 * WooCommerce: its `X-WC-Webhook-Delivery-ID` changes on every attempt, so the id is derived from the
 * resource: `<resource>/<id>@<date_modified_gmt>` (`product/48@2025-03-14T09:31:05`). The same state
 * of the same resource always maps to the same id.
 *
 * @see https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-webhook.php
 */
export function wooCommerceEventId(resource: string, id: string, modifiedGmt: string): string {
  return `${resource}/${id}@${modifiedGmt}`;
}

/**
 * WooCommerce trash notifications (`product.deleted`) carry only the id and no time, so the only
 * identity is the delivery id. A repeated delete is harmless: tombstoning a tombstone is `unchanged`.
 */
export function wooCommerceDeliveryEventId(resource: string, id: string, headers: WebhookHeaders): string {
  return `${resource}/${id}@delivery:${required(headers, "X-WC-Webhook-Delivery-ID")}`;
}

/**
 * Events in our canonical shape: the signed message id when the sender uses Standard Webhooks
 * (`webhook-id` or `svix-id`, or the vendor's `idHeader`: it stays the same on retries), else the
 * body's event `id` (Stripe-style `evt_…`, the same on every retry of one event).
 *
 * @throws {ValidationError} (field `id`) when there is neither.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 * @see https://docs.stripe.com/webhooks#handle-duplicate-events
 */
export function canonicalEventId(signedId: string | undefined, bodyId: string | undefined): string {
  const id = signedId?.trim() || bodyId?.trim();
  if (!id) throw new ValidationError("id: the event has no id (body id or webhook-id header)", { field: "id" });
  return id;
}

/**
 * BigCommerce: the body's `hash` (identical for every delivery of one event); a body without a usable
 * hash falls back to the SHA-256 of its bytes, which is just as stable for a redelivery.
 *
 * @see https://developer.bigcommerce.com/docs/integrations/webhooks
 */
export function bigCommerceEventId(hash: string | undefined, body: Uint8Array): string {
  if (hash && /^[0-9a-f]{40}$/i.test(hash)) return hash.toLowerCase();
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

/**
 * commercetools: the message `id`; change notifications (`ResourceUpdated`…) have none and use
 * `<typeId>/<resource id>@<version>`, which is unique per resource state.
 *
 * @see https://docs.commercetools.com/api/projects/subscriptions
 */
export function commercetoolsEventId(message: {
  id?: string;
  resource: { typeId: string; id: string };
  version?: number;
}): string {
  if (message.id) return message.id;
  if (message.version === undefined) {
    throw new ValidationError("a notification needs an id or a version", { field: "version" });
  }
  return `${message.resource.typeId}/${message.resource.id}@${message.version}`;
}
