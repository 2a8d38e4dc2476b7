import * as v from "valibot";
import type { WebhookMapping } from "../webhooks/results.ts";

/** Largest mapping sent inside a queue message; larger ones travel as an object-store pointer. */
export const MAX_INLINE_MAPPING_BYTES = 200 * 1024;

/**
 * The real-time queue's message: one verified, de-duplicated vendor event. The ingest function maps
 * the body before queueing (so a bad envelope is refused with 400 while the vendor is still on the
 * line); the processor applies the mapping through the shared write path.
 */
export const WebhookMessageSchema = v.object({
  kind: v.literal("webhook"),
  version: v.literal(1),
  vendorId: v.string(),
  eventId: v.pipe(v.string(), v.minLength(1)),
  /** When the ingest function received the delivery, UTC epoch ms. */
  receivedAt: v.number(),
  /** Object-store key of the archived raw delivery (headers and body). */
  archiveKey: v.string(),
  /** The mapping, inline… */
  mapping: v.optional(
    v.looseObject({ kind: v.picklist(["changes", "fetch", "inventory-delta", "platform-delete", "ignored"]) }),
  ),
  /** …or the object-store key holding it when it is larger than {@link MAX_INLINE_MAPPING_BYTES}. */
  mappingKey: v.optional(v.string()),
});

export type WebhookMessage = Omit<v.InferOutput<typeof WebhookMessageSchema>, "mapping"> & {
  readonly mapping?: WebhookMapping;
};

/** An archived delivery, exactly as received: enough to map it again (`vendor-sync replay`). */
export interface ArchivedDelivery {
  readonly vendorId: string;
  readonly eventId: string;
  readonly receivedAt: number;
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body, base64 (the exact bytes that were verified). */
  readonly bodyBase64: string;
}

/**
 * Object-store key of an archived delivery: `webhooks/<vendor>/<yyyy>/<mm>/<dd>/<receivedAt>-<eventId>.json`,
 * so a vendor's deliveries list in time order and a lifecycle rule can expire them by prefix.
 */
export function archiveKeyFor(vendorId: string, eventId: string, receivedAt: number): string {
  const day = new Date(receivedAt).toISOString().slice(0, 10).replaceAll("-", "/");
  return `webhooks/${vendorId}/${day}/${String(receivedAt).padStart(13, "0")}-${encodeURIComponent(eventId)}.json`;
}

/** @returns the prefix under which a vendor's deliveries of one UTC day are archived. */
export function archivePrefixFor(vendorId: string, day?: number): string {
  return day === undefined
    ? `webhooks/${vendorId}/`
    : `webhooks/${vendorId}/${new Date(day).toISOString().slice(0, 10).replaceAll("-", "/")}/`;
}
