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
 * A 2xx is answered only once the event is durably queued (or parked for a paused vendor): claim →
 * archive → queue → complete, with a lease ({@link CLAIM_LEASE_MS}) on the claim
 * (`core/realtime/accept-delivery.ts`). This module is transport: HTTP checks, authentication,
 * mapping and answers.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ConfigurationFaultError, ValidationError } from "../core/errors.ts";
import type { VendorPauseControl } from "../core/operations/vendor-pause.ts";
import type { DedupStore, ObjectStore, QueueSender, SecretSource } from "../core/ports.ts";
import { type Acceptance, type AcceptDeps, acceptDelivery, type Delivery } from "../core/realtime/accept-delivery.ts";
import { CLAIM_LEASE_MS } from "../core/realtime/ingest-lease.ts";
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
  const acceptDeps: AcceptDeps = {
    ...deps,
    now,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    ...(deps.observe?.failed ? { failed: deps.observe.failed } : {}),
  };

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

  /** De-duplicates, archives and queues a mapped delivery, and answers how that went. */
  async function accept(vendor: VendorConfig, delivery: Delivery, previous: boolean): Promise<Answer> {
    const acceptance = await acceptDelivery(acceptDeps, deps.limits ?? {}, vendor, delivery);
    return answerAcceptance(deps, acceptance, { vendorId: vendor.id, eventId: delivery.eventId, previous }, auth);
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

/** The answer to an accepted, duplicate, in-progress or unqueued delivery (observed once). */
function answerAcceptance(
  deps: Pick<IngestDeps, "observe">,
  acceptance: Acceptance,
  delivery: { vendorId: string; eventId: string; previous: boolean },
  auth: { retryAfterSeconds: number },
): Answer {
  const { vendorId, eventId, previous } = delivery;
  const previousSecretUsed = previous ? { previousSecretUsed: true } : {};
  switch (acceptance.kind) {
    case "duplicate":
      deps.observe?.duplicate?.(vendorId, eventId);
      return respond(202, { eventId, duplicate: true }, { eventId, duplicate: true, ...previousSecretUsed });
    case "in-progress": {
      // Not yet queued, and maybe never (the other attempt may have died): only a retry can make sure.
      deps.observe?.inProgress?.(vendorId, eventId);
      const retryAfter = acceptance.retryAfterSeconds;
      return unavailable(
        retryAfter,
        "another delivery of this event is being queued; retry later",
        { eventId, reason: "in-progress", ...previousSecretUsed },
        { eventId, retryAfterSeconds: retryAfter },
      );
    }
    case "not-queued":
      return unavailable(
        auth.retryAfterSeconds,
        "could not queue the event, retry later",
        { eventId, reason: "queue-unavailable" },
        { eventId },
      );
    case "accepted":
      deps.observe?.accepted?.(vendorId, eventId, previous);
      return respond(202, { eventId }, { eventId, ...previousSecretUsed });
  }
}
