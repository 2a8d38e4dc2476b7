/**
 * Accepting a verified, mapped webhook delivery: claim its event id (de-duplication with a lease) →
 * archive the raw delivery → queue the mapping for the processor (or park it for a paused vendor) →
 * complete the claim. An attempt that stops between two steps (timeout, crash) leaves an in-progress
 * claim whose lease (`ingest-lease.ts`) outlasts the function; the first retry after it runs out takes
 * the claim over and queues the event. An attempt that stopped after queueing leaves a second message
 * on the takeover: the processor applies an event id once. Answers are the caller's
 * (`lambdas/ingest-webhook`).
 */
import { parkedKeyFor, type VendorPauseControl } from "../operations/vendor-pause.ts";
import type { DedupStore, ObjectStore, QueueSender } from "../ports.ts";
import type { VendorConfig } from "../vendor-config.ts";
import type { WebhookHeaders } from "../webhooks/headers.ts";
import type { WebhookMapping } from "../webhooks/results.ts";
import { CLAIM_LEASE_MS } from "./ingest-lease.ts";
import {
  type ArchivedDelivery,
  archiveKeyFor,
  MAX_INLINE_MAPPING_BYTES,
  type WebhookMessage,
} from "./webhook-message.ts";

/** What accepting needs. */
export interface AcceptDeps {
  readonly dedup: DedupStore;
  /** Raw deliveries (and large mappings). */
  readonly archive: ObjectStore;
  readonly queue: QueueSender;
  /** Pause control: a paused vendor's deliveries are archived, then parked instead of queued. */
  readonly pause?: VendorPauseControl;
  /** Epoch ms. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Told when queueing or completing the claim failed. */
  readonly failed?: (vendorId: string, error: unknown) => void;
}

/** Claim timing and retention. */
export interface AcceptLimits {
  /** How long an in-progress claim blocks another delivery of the same event, ms. @default {@link CLAIM_LEASE_MS} */
  readonly leaseMs?: number;
  /** How long a processed event id is refused as a duplicate, ms. @default 7 days */
  readonly dedupRetentionMs?: number;
  /** How long a concurrent duplicate waits for the first delivery to finish, ms. @default 1 000 */
  readonly inProgressWaitMs?: number;
}

/** A delivery verified and mapped to something to apply. */
export interface Delivery {
  readonly eventId: string;
  /** Epoch ms. */
  readonly receivedAt: number;
  readonly headers: WebhookHeaders;
  readonly body: Buffer;
  readonly mapping: Exclude<WebhookMapping, { kind: "ignored" }>;
}

/** What became of a delivery. */
export type Acceptance =
  /** Queued (or parked), now or by an attempt whose claim this one took over. */
  | { readonly kind: "accepted" }
  /** Queued before, within the de-duplication retention. */
  | { readonly kind: "duplicate" }
  /** Another attempt holds the claim and may still be queueing it: only a retry can make sure. */
  | { readonly kind: "in-progress"; readonly retryAfterSeconds: number }
  /** Archiving or queueing failed; the claim was given back, so the vendor's retry is accepted. */
  | { readonly kind: "not-queued" };

/** De-duplicates, archives and queues a mapped delivery. */
export async function acceptDelivery(
  deps: AcceptDeps,
  limits: AcceptLimits,
  vendor: VendorConfig,
  delivery: Delivery,
): Promise<Acceptance> {
  const { eventId, receivedAt } = delivery;
  const leaseMs = limits.leaseMs ?? CLAIM_LEASE_MS;
  const waitMs = limits.inProgressWaitMs ?? 1_000;
  let claim = await deps.dedup.claim(vendor.id, eventId, receivedAt, leaseMs);
  for (let waited = 0; claim.state === "in-progress" && waited < waitMs; waited += 100) {
    // A concurrent delivery of the same event: wait for it to finish, or take over if it gives up.
    await deps.sleep(100);
    claim = await deps.dedup.claim(vendor.id, eventId, deps.now(), leaseMs);
  }
  if (claim.state === "completed") return { kind: "duplicate" };
  if (claim.state === "in-progress") {
    return { kind: "in-progress", retryAfterSeconds: Math.max(1, Math.ceil((claim.leaseUntil - deps.now()) / 1000)) };
  }
  try {
    await enqueue(deps, vendor, delivery);
  } catch (error) {
    // Not marked done: the vendor's retry must be accepted and processed.
    await deps.dedup.release(vendor.id, eventId, claim.token).catch(() => {});
    deps.failed?.(vendor.id, error);
    return { kind: "not-queued" };
  }
  try {
    // False when the lease ran out and a retry took the claim over: it queues the event too (applied once).
    await deps.dedup.complete(vendor.id, eventId, claim.token, deps.now(), limits.dedupRetentionMs ?? 7 * 86_400_000);
  } catch (error) {
    // Queued all the same: a retry after the lease queues it again, and the processor applies it once.
    deps.failed?.(vendor.id, error);
  }
  return { kind: "accepted" };
}

/** Archives the raw delivery, then queues the mapping (inline, or as a pointer when large). */
async function enqueue(deps: AcceptDeps, vendor: VendorConfig, delivery: Delivery): Promise<void> {
  const archiveKey = archiveKeyFor(vendor.id, delivery.eventId, delivery.receivedAt);
  const archived: ArchivedDelivery = {
    vendorId: vendor.id,
    eventId: delivery.eventId,
    receivedAt: delivery.receivedAt,
    headers: Object.fromEntries(
      Object.entries(delivery.headers).map(([name, value]) => [
        name.toLowerCase(),
        Array.isArray(value) ? value.join(", ") : String(value ?? ""),
      ]),
    ),
    bodyBase64: delivery.body.toString("base64"),
  };
  await deps.archive.writeText(archiveKey, JSON.stringify(archived));
  const mappingJson = JSON.stringify(delivery.mapping);
  const inline = Buffer.byteLength(mappingJson) <= MAX_INLINE_MAPPING_BYTES;
  const head: WebhookMessage = {
    kind: "webhook",
    version: 1,
    vendorId: vendor.id,
    eventId: delivery.eventId,
    receivedAt: delivery.receivedAt,
    archiveKey,
    ...(inline ? {} : { mappingKey: `${archiveKey}.mapping.json` }),
  };
  if (head.mappingKey) await deps.archive.writeText(head.mappingKey, mappingJson);
  const outgoing = {
    // The message as JSON.stringify({ ...head, mapping }) writes it, without serialising the mapping again.
    body: inline ? `${JSON.stringify(head).slice(0, -1)},"mapping":${mappingJson}}` : JSON.stringify(head),
    attributes: { vendorId: vendor.id, kind: "webhook", eventId: delivery.eventId.slice(0, 256) },
  };
  if (await deps.pause?.isPaused(vendor.id)) {
    await deps.pause?.park({
      vendorId: vendor.id,
      parkedKey: parkedKeyFor(delivery.receivedAt, delivery.eventId),
      ...outgoing,
      parkedAt: delivery.receivedAt,
    });
    return;
  }
  await deps.queue.send(outgoing);
}
