/**
 * ingest-webhook — `POST /webhooks/{vendorId}`: verify the signature on the exact raw bytes, map the
 * payload (400 when its envelope is invalid), de-duplicate by vendor and event id, archive the raw
 * delivery, queue it for the processor, answer 202 with the event id.
 *
 * Responses: 202 accepted (or already accepted: `duplicate`), 200 for a WooCommerce ping or a
 * delivery with nothing to sync, 400 invalid envelope, 401 bad or missing signature, 404 unknown vendor,
 * 413 too large, 415 unsupported content type or a charset other than UTF-8, 503 when the queue or the secret store is down, or
 * while another attempt at the same event may still be queueing it (with `Retry-After`: the vendor
 * retries). Never a 500 for bad input.
 *
 * A 2xx is answered only once the event is durably queued (or parked for a paused vendor): the steps
 * are claim → archive → queue → complete, and an attempt that stops between two of them (timeout,
 * crash) leaves an in-progress claim whose lease ({@link CLAIM_LEASE_MS}) outlasts the function; the
 * first retry after it runs out takes the claim over and queues the event. An attempt that stopped
 * after queueing leaves a second message on the takeover: the processor applies an event id once.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ValidationError } from "../core/errors.ts";
import { parkedKeyFor, type VendorPauseControl } from "../core/operations/vendor-pause.ts";
import type { DedupStore, ObjectStore, QueueSender, SecretSource } from "../core/ports.ts";
import { CLAIM_LEASE_MS } from "../core/realtime/ingest-lease.ts";
import {
  type ArchivedDelivery,
  archiveKeyFor,
  MAX_INLINE_MAPPING_BYTES,
  type WebhookMessage,
} from "../core/realtime/webhook-message.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import type { WebhookHeaders } from "../core/webhooks/headers.ts";
import { mapWebhookPayload } from "../core/webhooks/payload-mappers.ts";
import type { PlatformKeyIndex, WebhookMapping } from "../core/webhooks/results.ts";
import { verifyWebhookSignature } from "../core/webhooks/signatures.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

/** Limits of the ingest path. */
export interface IngestLimits {
  /**
   * Largest body accepted, decoded, in bytes. Lambda's synchronous invoke payload is 6 MB including
   * the event envelope and base64 expansion, so 4 MiB keeps every accepted body deliverable.
   * @default 4 MiB
   */
  readonly maxBodyBytes?: number;
  /**
   * How long an in-progress claim blocks another delivery of the same event, ms: longer than the
   * function can run. @default {@link CLAIM_LEASE_MS} (the ingest timeout plus a margin)
   */
  readonly leaseMs?: number;
  /** How long a processed event id is refused as a duplicate, ms (longer than any vendor's retry horizon: Shopify retries 48 h). @default 7 days */
  readonly dedupRetentionMs?: number;
  /** How long a concurrent duplicate waits for the first delivery to finish, ms. @default 1 000 */
  readonly inProgressWaitMs?: number;
}

export interface IngestDeps {
  readonly vendors: VendorRegistry;
  readonly secrets: SecretSource;
  readonly dedup: DedupStore;
  /** Raw deliveries (and large mappings). */
  readonly archive: ObjectStore;
  readonly queue: QueueSender;
  /** Record keys by platform id, per vendor (deletes that name only an id). */
  readonly keyIndexFor: (vendorId: string) => PlatformKeyIndex;
  /** Pause control: a paused vendor's deliveries are accepted and archived, then parked instead of queued. */
  readonly pause?: VendorPauseControl;
  readonly limits?: IngestLimits;
  /** @default Date.now */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Observability hooks (metrics, logs); no request bodies are passed. */
  readonly observe?: {
    readonly signatureRejected?: (vendorId: string, reason: string) => void;
    readonly duplicate?: (vendorId: string, eventId: string) => void;
    readonly accepted?: (vendorId: string, eventId: string, previousSecretUsed: boolean) => void;
    readonly failed?: (vendorId: string, error: unknown) => void;
    /** Another attempt holds the event's claim: the delivery was answered 503. */
    readonly inProgress?: (vendorId: string, eventId: string) => void;
  };
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

function respond(
  statusCode: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/**
 * Media type without parameters, lower case, and its `charset` parameter (`application/json;
 * charset=UTF-8` → `application/json`, `utf-8`).
 */
function contentType(headers: WebhookHeaders): { type: string; charset: string | undefined } {
  const value = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  const [type = "", ...parameters] = String((Array.isArray(value) ? value[0] : value) ?? "").split(";");
  const charset = parameters
    .map((parameter) => /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(parameter)?.[1])
    .find((found) => found !== undefined);
  return { type: type.trim().toLowerCase(), charset: charset?.toLowerCase() };
}

/** Charsets a JSON body may declare: JSON between systems is UTF-8 (RFC 8259 §8.1), ASCII is a subset. */
const JSON_CHARSETS: ReadonlySet<string> = new Set(["utf-8", "utf8", "us-ascii"]);

function isJson(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

/** Builds the ingest handler from its ports. */
export function makeHandler(deps: IngestDeps) {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxBody = deps.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const leaseMs = deps.limits?.leaseMs ?? CLAIM_LEASE_MS;
  const retentionMs = deps.limits?.dedupRetentionMs ?? 7 * 86_400_000;
  const waitMs = deps.limits?.inProgressWaitMs ?? 1_000;

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const receivedAt = now();
    const vendorId = event.pathParameters?.vendorId ?? "";
    if (!deps.vendors.has(vendorId)) return respond(404, { error: "unknown vendor", vendorId });
    const vendor = deps.vendors.get(vendorId);
    const channel = vendor.channels.webhook;
    if (!channel || !vendor.enabled) return respond(404, { error: "this vendor has no webhook endpoint", vendorId });

    const headers: WebhookHeaders = event.headers ?? {};
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64")
      : Buffer.from(event.body ?? "", "utf8");
    if (body.byteLength > maxBody) {
      return respond(413, { error: `body of ${body.byteLength} bytes is over the ${maxBody}-byte limit` });
    }
    const { type, charset } = contentType(headers);
    const formPing = channel.scheme === "woocommerce" && type === "application/x-www-form-urlencoded";
    if (!isJson(type) && !formPing) {
      return respond(415, {
        error: `unsupported content type ${JSON.stringify(type || "(none)")}; send application/json`,
      });
    }
    if (isJson(type) && charset !== undefined && !JSON_CHARSETS.has(charset)) {
      // Read as UTF-8, a UTF-16 body would be refused as malformed or, worse, misread.
      return respond(415, { error: `unsupported charset ${JSON.stringify(charset)}; send JSON in UTF-8 (RFC 8259)` });
    }

    let secrets: string[];
    try {
      secrets = await deps.secrets.secrets(channel.secretName);
    } catch (error) {
      deps.observe?.failed?.(vendorId, error);
      return respond(503, { error: "signing secret unavailable, retry later" });
    }
    const verdict = verifyWebhookSignature({
      scheme: channel.scheme,
      body,
      headers,
      secrets,
      now: receivedAt,
      toleranceSeconds: channel.timestampToleranceSeconds,
      timestampUnit: channel.timestampUnit,
      ...(channel.signatureHeader ? { signatureHeader: channel.signatureHeader } : {}),
    });
    if (!verdict.ok) {
      if (verdict.reason === "ping") return respond(200, { ping: true });
      deps.observe?.signatureRejected?.(vendorId, verdict.reason);
      return respond(401, { error: "signature verification failed", reason: verdict.reason });
    }
    if (formPing) return respond(415, { error: "form-encoded bodies are only accepted as WooCommerce pings" });

    let mapping: WebhookMapping;
    try {
      mapping = await mapWebhookPayload(channel.payloadFormat, body, {
        headers,
        receivedAt,
        keyIndex: deps.keyIndexFor(vendorId),
      });
    } catch (error) {
      if (error instanceof ValidationError) {
        return respond(400, { error: error.message, ...(error.field ? { field: error.field } : {}) });
      }
      throw error;
    }
    if (mapping.kind === "ignored") return respond(200, { ignored: mapping.reason, detail: mapping.detail });

    const { eventId } = mapping;
    let claim = await deps.dedup.claim(vendorId, eventId, receivedAt, leaseMs);
    for (let waited = 0; claim.state === "in-progress" && waited < waitMs; waited += 100) {
      // A concurrent delivery of the same event: wait for it to finish, or take over if it gives up.
      await sleep(100);
      claim = await deps.dedup.claim(vendorId, eventId, now(), leaseMs);
    }
    if (claim.state === "completed") {
      deps.observe?.duplicate?.(vendorId, eventId);
      return respond(202, { eventId, duplicate: true });
    }
    if (claim.state === "in-progress") {
      // Not yet queued, and maybe never (the other attempt may have died): only a retry can make sure.
      deps.observe?.inProgress?.(vendorId, eventId);
      const retryAfter = Math.max(1, Math.ceil((claim.leaseUntil - now()) / 1000));
      return respond(
        503,
        {
          error: "another delivery of this event is being queued; retry later",
          eventId,
          retryAfterSeconds: retryAfter,
        },
        { "retry-after": String(retryAfter) },
      );
    }

    try {
      await enqueue(deps, vendor, { eventId, receivedAt, headers, body, mapping });
    } catch (error) {
      // Not marked done: the vendor's retry must be accepted and processed.
      await deps.dedup.release(vendorId, eventId, claim.token).catch(() => {});
      deps.observe?.failed?.(vendorId, error);
      return respond(503, { error: "could not queue the event, retry later", eventId });
    }
    try {
      // False when the lease ran out and a retry took the claim over: it queues the event too (applied once).
      await deps.dedup.complete(vendorId, eventId, claim.token, now(), retentionMs);
    } catch (error) {
      // Queued all the same: a retry after the lease queues it again, and the processor applies it once.
      deps.observe?.failed?.(vendorId, error);
    }
    deps.observe?.accepted?.(vendorId, eventId, verdict.secretIndex > 0);
    return respond(202, { eventId });
  };
}

/** Archives the raw delivery, then queues the mapping (inline, or as a pointer when large). */
async function enqueue(
  deps: IngestDeps,
  vendor: VendorConfig,
  delivery: {
    eventId: string;
    receivedAt: number;
    headers: WebhookHeaders;
    body: Buffer;
    mapping: Exclude<WebhookMapping, { kind: "ignored" }>;
  },
): Promise<void> {
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
  const message: WebhookMessage = {
    kind: "webhook",
    version: 1,
    vendorId: vendor.id,
    eventId: delivery.eventId,
    receivedAt: delivery.receivedAt,
    archiveKey,
    ...(Buffer.byteLength(mappingJson) > MAX_INLINE_MAPPING_BYTES
      ? { mappingKey: `${archiveKey}.mapping.json` }
      : { mapping: delivery.mapping }),
  };
  if (message.mappingKey) await deps.archive.writeText(message.mappingKey, mappingJson);
  const outgoing = {
    body: JSON.stringify(message),
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
