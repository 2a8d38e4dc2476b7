/**
 * ingest-webhook — `POST /webhooks/{vendorId}`: verify the signature on the exact raw bytes, map the
 * payload (400 when its envelope is invalid), de-duplicate by vendor and event id, archive the raw
 * delivery, queue it for the processor, answer 202 with the event id.
 *
 * Responses: 202 accepted (or already accepted: `duplicate`), 200 for a WooCommerce ping or a
 * delivery with nothing to sync, 400 invalid envelope, 401 bad or missing signature, 404 unknown vendor,
 * 413 too large, 415 unsupported content type or a charset other than UTF-8, 503 with Retry-After when
 * the queue or the secret store is down, while another attempt at the same event may still be queueing
 * it, or when the vendor's configuration is faulty (its signing secret malformed or not in its scheme's
 * format): the vendor retries, and succeeds once the cause is gone. Never a 500 for bad input.
 *
 * A 2xx is answered only once the event is durably queued (or parked for a paused vendor): the steps
 * are claim → archive → queue → complete, and an attempt that stops between two of them (timeout,
 * crash) leaves an in-progress claim whose lease ({@link CLAIM_LEASE_MS}) outlasts the function; the
 * first retry after it runs out takes the claim over and queues the event. An attempt that stopped
 * after queueing leaves a second message on the takeover: the processor applies an event id once.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ConfigurationFaultError, ValidationError } from "../core/errors.ts";
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
import type { VendorRegistry } from "../runtime/vendor-registry.ts";
import { type Answer, type DeliveryOutcome, respond, unavailable } from "./answers.ts";
import { authenticateDelivery, configurationFaultAnswer } from "./authenticate.ts";

export type { DeliveryOutcome } from "./answers.ts";

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
  /** Retry-After of a 503 answer, seconds. @default 60 */
  readonly retryAfterSeconds?: number;
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
    /** A configuration fault (not the sender's): alarm on it. */
    readonly configurationFault?: (error: ConfigurationFaultError) => void;
    /** Every delivery, once, when it is answered. */
    readonly finished?: (outcome: DeliveryOutcome) => void;
  };
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

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
  const auth = { ...deps, retryAfterSeconds: deps.limits?.retryAfterSeconds ?? 60 };
  const configurationFault = (fault: ConfigurationFaultError) => configurationFaultAnswer(auth, fault);

  async function receive(event: APIGatewayProxyEventV2, vendorId: string, receivedAt: number): Promise<Answer> {
    const fault = deps.vendors.configurationFault(vendorId);
    if (fault) return configurationFault(new ConfigurationFaultError(vendorId, fault));
    if (!deps.vendors.has(vendorId))
      return respond(404, { error: "unknown vendor", vendorId }, { reason: "unknown-vendor" });
    const vendor = deps.vendors.get(vendorId);
    const channel = vendor.channels.webhook;
    if (!channel || !vendor.enabled) {
      return respond(404, { error: "this vendor has no webhook endpoint", vendorId }, { reason: "no-webhook-channel" });
    }

    const headers: WebhookHeaders = event.headers ?? {};
    const body = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64")
      : Buffer.from(event.body ?? "", "utf8");
    const maxBody = deps.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY;
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

    const authenticated = await authenticateDelivery(auth, vendor, channel, { body, headers, receivedAt });
    if ("response" in authenticated) return authenticated;
    const { verdict } = authenticated;
    if (formPing) return respond(415, { error: "form-encoded bodies are only accepted as WooCommerce pings" });
    const previousSecretUsed = verdict.secretIndex > 0 ? { previousSecretUsed: true } : {};

    let mapping: WebhookMapping;
    try {
      mapping = await mapWebhookPayload(channel.payloadFormat, body, {
        ...(verdict.webhookId ? { signedEventId: verdict.webhookId } : {}),
        headers,
        receivedAt,
        keyIndex: deps.keyIndexFor(vendorId),
      });
    } catch (error) {
      if (error instanceof ValidationError) {
        const field = error.field ? { field: error.field } : {};
        return respond(400, { error: error.message, ...field }, { reason: "invalid-payload", ...previousSecretUsed });
      }
      throw error;
    }
    if (mapping.kind === "ignored") {
      return respond(
        200,
        { ignored: mapping.reason, detail: mapping.detail },
        { reason: `ignored: ${mapping.reason}` },
      );
    }
    return accept(vendor, { eventId: mapping.eventId, receivedAt, headers, body, mapping }, verdict.secretIndex > 0);
  }

  /** De-duplicates, archives and queues a mapped delivery. */
  async function accept(vendor: VendorConfig, delivery: Delivery, previous: boolean): Promise<Answer> {
    const { eventId, receivedAt } = delivery;
    const leaseMs = deps.limits?.leaseMs ?? CLAIM_LEASE_MS;
    const waitMs = deps.limits?.inProgressWaitMs ?? 1_000;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const previousSecretUsed = previous ? { previousSecretUsed: true } : {};
    let claim = await deps.dedup.claim(vendor.id, eventId, receivedAt, leaseMs);
    for (let waited = 0; claim.state === "in-progress" && waited < waitMs; waited += 100) {
      // A concurrent delivery of the same event: wait for it to finish, or take over if it gives up.
      await sleep(100);
      claim = await deps.dedup.claim(vendor.id, eventId, now(), leaseMs);
    }
    if (claim.state === "completed") {
      deps.observe?.duplicate?.(vendor.id, eventId);
      return respond(202, { eventId, duplicate: true }, { eventId, duplicate: true, ...previousSecretUsed });
    }
    if (claim.state === "in-progress") {
      // Not yet queued, and maybe never (the other attempt may have died): only a retry can make sure.
      deps.observe?.inProgress?.(vendor.id, eventId);
      const retryAfter = Math.max(1, Math.ceil((claim.leaseUntil - now()) / 1000));
      return unavailable(
        retryAfter,
        "another delivery of this event is being queued; retry later",
        { eventId, reason: "in-progress", ...previousSecretUsed },
        { eventId, retryAfterSeconds: retryAfter },
      );
    }
    try {
      await enqueue(deps, vendor, delivery);
    } catch (error) {
      // Not marked done: the vendor's retry must be accepted and processed.
      await deps.dedup.release(vendor.id, eventId, claim.token).catch(() => {});
      deps.observe?.failed?.(vendor.id, error);
      return unavailable(
        auth.retryAfterSeconds,
        "could not queue the event, retry later",
        { eventId, reason: "queue-unavailable" },
        { eventId },
      );
    }
    try {
      // False when the lease ran out and a retry took the claim over: it queues the event too (applied once).
      await deps.dedup.complete(
        vendor.id,
        eventId,
        claim.token,
        now(),
        deps.limits?.dedupRetentionMs ?? 7 * 86_400_000,
      );
    } catch (error) {
      // Queued all the same: a retry after the lease queues it again, and the processor applies it once.
      deps.observe?.failed?.(vendor.id, error);
    }
    deps.observe?.accepted?.(vendor.id, eventId, previous);
    return respond(202, { eventId }, { eventId, ...previousSecretUsed });
  }

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const receivedAt = now();
    const vendorId = event.pathParameters?.vendorId ?? "";
    const answer = await receive(event, vendorId, receivedAt);
    deps.observe?.finished?.({
      vendorId,
      status: answer.response.statusCode ?? 200,
      ...answer.outcome,
      durationMs: now() - receivedAt,
    });
    return answer.response;
  };
}

interface Delivery {
  eventId: string;
  receivedAt: number;
  headers: WebhookHeaders;
  body: Buffer;
  mapping: Exclude<WebhookMapping, { kind: "ignored" }>;
}

/** Archives the raw delivery, then queues the mapping (inline, or as a pointer when large). */
async function enqueue(deps: IngestDeps, vendor: VendorConfig, delivery: Delivery): Promise<void> {
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
