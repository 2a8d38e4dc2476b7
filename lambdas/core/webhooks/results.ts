import type { ChangeInput, PlatformResource } from "../change-input.ts";
import type { VendorConfig } from "../vendor-config.ts";
import type { WebhookHeaders } from "./headers.ts";

/** The payload mapping a vendor's webhook channel declares (`channels.webhook.payloadFormat`). */
export type WebhookPayloadFormat = NonNullable<VendorConfig["channels"]["webhook"]>["payloadFormat"];

/**
 * The payload formats whose mappers can answer with a {@link FetchMapping} (BigCommerce's thin
 * notifications and unknown keys, commercetools' change notifications): only for vendors with one of
 * these does the processor read the resource through the vendor's pull connector, and need its
 * credentials.
 */
export const FETCHING_PAYLOAD_FORMATS: ReadonlySet<WebhookPayloadFormat> = new Set(["bigcommerce", "commercetools"]);

/**
 * The payload carried whole records: canonical changes for the write path. Every change has
 * `source: "vendor:webhook"`, an `eventId`, a `sourceTs` in UTC epoch ms, and money as decimal text
 * in its currency (`"54.00"`), which `toChange` turns into minor units.
 */
export interface ChangesMapping {
  readonly kind: "changes";
  /** The delivery's stable event id (also on every change): the de-duplication key. */
  readonly eventId: string;
  readonly changes: ChangeInput[];
}

/** A platform resource to read through the vendor connector. */
export interface FetchResource {
  /** The platform's resource type (`"product"`, `"variant"`, `"order"`, `"inventory-entry"`…). */
  readonly type: string;
  /** The platform's id for it, every digit kept. */
  readonly id: string;
  /** The owning product's id, for resources addressed under a product (BigCommerce variants). */
  readonly productId?: string;
}

/**
 * The payload only announced a change (BigCommerce thin notifications, commercetools change
 * notifications and oversized messages, or a resource whose record key is not known yet): fetch the
 * resource through the vendor connector and map what it returns; the fetched state supersedes the
 * notification.
 */
export interface FetchMapping {
  readonly kind: "fetch";
  readonly eventId: string;
  /** Time of the notification, UTC epoch ms: a fetched state is at least this new. */
  readonly sourceTs: number;
  /** The resource version the notification refers to, when the platform sends one. */
  readonly sourceVersion?: number;
  readonly resource: FetchResource;
  readonly reason: "thin-notification" | "change-notification" | "payload-not-included" | "key-unknown";
  /** commercetools: the message to read from the Messages API when its payload was left out. */
  readonly messageId?: string;
}

/**
 * A relative stock movement (BigCommerce `method: "relative"`): add `delta` to the stored level. It
 * must be applied exactly once, so the processor records `eventId` with the write; a replay of the
 * same event is a duplicate, never a second movement.
 */
export interface InventoryDeltaMapping {
  readonly kind: "inventory-delta";
  readonly eventId: string;
  readonly sourceTs: number;
  /** Key of the `inventory` record to adjust. */
  readonly entityKey: string;
  /** Whole units to add (negative after an order). */
  readonly delta: number;
}

/**
 * A delete that names only the platform's id for a resource (a Shopify, WooCommerce or BigCommerce
 * product delete): the processor remembers it against the resource and deletes every record the
 * resource's changes wrote; changes of the resource older than it stay deleted whenever they arrive.
 */
export interface PlatformDeleteMapping {
  readonly kind: "platform-delete";
  readonly eventId: string;
  /** The delete's time, UTC epoch ms. */
  readonly sourceTs: number;
  readonly resource: PlatformRef;
}

/** The delivery is authentic but carries nothing to sync. */
export interface IgnoredMapping {
  readonly kind: "ignored";
  readonly reason: /** A topic this system does not map (answer 2xx so the platform does not retry or disable the hook). */
    | "unsupported-topic"
    /** A thin notification's resource no longer exists at the vendor (its fetch found nothing). */
    | "unknown-resource"
    /** A change to staged (draft) data that is not live yet. */
    | "not-live";
  readonly detail: string;
}

/** What one webhook payload means for the store. */
export type WebhookMapping =
  | ChangesMapping
  | FetchMapping
  | InventoryDeltaMapping
  | PlatformDeleteMapping
  | IgnoredMapping;

/**
 * Reads the resource a thin notification points at, through the vendor's pull connector, and maps
 * it: the processor's port to the scheduled workflow's connectors.
 */
export interface ResourceFetcher {
  /**
   * @returns the fetched state as `changes` (superseding the notification), or `ignored` when the
   *   resource no longer exists.
   * @throws {ValidationError} when the vendor has no connector or resource path for it, or the record
   *   cannot be mapped; {@link TransientError} when the vendor is unavailable or rate-limits.
   */
  fetch(vendorId: string, mapping: FetchMapping): Promise<WebhookMapping>;
}

/** A platform resource by the platform's own id, for {@link PlatformKeyIndex}. */
export type PlatformRef = PlatformResource;

/** The record key(s) stored for a platform resource. */
export interface PlatformKeys {
  /** Key of the record (a Shopify handle, a SKU). */
  readonly entityKey: string;
  /** For a product: the keys of its variants' records (`attributes.variantKeys` of the stored product). */
  readonly variantKeys?: readonly string[];
}

/**
 * Finds record keys by platform id. Records are keyed by what the vendor's files and APIs use (a
 * Shopify handle or variant key, a SKU), but some payloads name only the platform's numeric id (a
 * Shopify or WooCommerce delete, BigCommerce inventory). Mapped products keep that id in
 * `attributes.extra.platformId`, and an adapter answers from the stored records.
 */
export interface PlatformKeyIndex {
  /** @returns the keys stored for the resource, or `undefined` when no record of it is known. */
  find(ref: PlatformRef): Promise<PlatformKeys | undefined>;
}

/** What the mappers need besides the body. */
export interface WebhookMappingContext {
  /** The delivery's headers (topic and event-id headers for Shopify and WooCommerce). */
  readonly headers: WebhookHeaders;
  /** When the delivery arrived, UTC epoch ms: the event time of payloads that carry none. */
  readonly receivedAt: number;
  readonly keyIndex: PlatformKeyIndex;
  /**
   * The message id the signature covers (Standard Webhooks `webhook-id` / `svix-id`, or the vendor's
   * `idHeader`; see `signedMessageId`): the event id of canonical payloads when present.
   */
  readonly signedEventId?: string;
}
