import { ValidationError } from "../errors.ts";
import type { ObjectStore, QueueSender } from "../ports.ts";
import { type ArchivedDelivery, archivePrefixFor, type WebhookMessage } from "../realtime/webhook-message.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { mapWebhookPayload } from "../webhooks/payload-mappers.ts";
import type { PlatformKeyIndex } from "../webhooks/results.ts";
import { signedMessageId } from "../webhooks/signatures.ts";

const DAY_MS = 86_400_000;
/** Archived deliveries are named `<receivedAt, 13 digits>-<eventId>.json` under their UTC day. */
const ARCHIVE_NAME = /\/(\d{13})-[^/]+\.json$/;

/** What a replay reads, maps with and sends to. */
export interface ReplayDeps {
  /** The webhook archive (the archive bucket on AWS): `list` and `readText` only. */
  readonly archive: Pick<ObjectStore, "list" | "readText">;
  /** The real-time queue. */
  readonly queue: QueueSender;
  /** The vendor's platform key index (maps deliveries that name a resource by platform id). */
  readonly keyIndex: PlatformKeyIndex;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Which deliveries to replay. */
export interface ReplayRequest {
  readonly vendor: VendorConfig;
  /** UTC epoch ms: deliveries received at or after. @default the vendor's first archived day */
  readonly since?: number;
  /** UTC epoch ms: deliveries received before. @default now */
  readonly until?: number;
  /** Count and map what would be replayed, send nothing. @default false */
  readonly dryRun?: boolean;
  /** Continue after this archive key (a previous call's `resumeAfter`). */
  readonly after?: string;
  /**
   * Stop taking new deliveries after this many ms and return `complete: false` with `resumeAfter`
   * (a Lambda behind a 30-s API stays inside its timeout). @default unlimited
   */
  readonly budgetMs?: number;
}

/** What a replay (or one slice of it) did. */
export interface ReplayOutcome {
  readonly vendorId: string;
  /** Archived deliveries found in the window (in this slice). */
  readonly found: number;
  /** Sent to the real-time queue again (0 on a dry run). */
  readonly queued: number;
  /** Deliveries that map to nothing to apply (a vendor's test or unsupported event). */
  readonly ignored: number;
  /** Deliveries whose archived body no longer maps, with the reason; nothing is sent for them. */
  readonly unmappable: { readonly archiveKey: string; readonly reason: string }[];
  readonly dryRun: boolean;
  /** Receive times (UTC epoch ms) of the first and last delivery found. */
  readonly firstReceivedAt?: number;
  readonly lastReceivedAt?: number;
  /** False when the time budget ran out; call again with `after: resumeAfter`. */
  readonly complete: boolean;
  /** The last archive key handled when `complete` is false. */
  readonly resumeAfter?: string;
}

/** The archive prefixes to list: one per UTC day of the window, or the vendor's whole archive. */
function prefixesFor(vendorId: string, since: number | undefined, until: number): string[] {
  if (since === undefined) return [archivePrefixFor(vendorId)];
  const prefixes: string[] = [];
  for (let day = since - (since % DAY_MS); day < until; day += DAY_MS) prefixes.push(archivePrefixFor(vendorId, day));
  return prefixes;
}

/**
 * Re-runs a vendor's archived raw webhook deliveries through the real-time path: each verified body
 * is mapped again with today's mapper and queued with its original event id and receive time. The
 * ingest de-duplication is bypassed on purpose (those events were seen); the write path's own
 * idempotency is not, so a replay changes data at most once — already-applied events come back
 * `unchanged`, `duplicate` or `stale`.
 *
 * Lists only the UTC days of the window and reads only deliveries whose name puts them inside it.
 *
 * @throws {ValidationError} for a vendor without a webhook channel or a `since` not before the given `until`.
 * @see docs/runbooks/replay-archived-webhooks.md
 */
export async function replayArchivedDeliveries(deps: ReplayDeps, request: ReplayRequest): Promise<ReplayOutcome> {
  const { vendor } = request;
  const channel = vendor.channels.webhook;
  if (!channel) throw new ValidationError(`vendor ${vendor.id} has no webhook channel`, { field: "vendorId" });
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const until = request.until ?? startedAt + 1;
  if (request.since !== undefined && request.until !== undefined && request.since >= request.until) {
    throw new ValidationError("since must be before until", { field: "since" });
  }
  const dryRun = request.dryRun ?? false;
  let found = 0;
  let queued = 0;
  let ignored = 0;
  let firstReceivedAt: number | undefined;
  let lastReceivedAt: number | undefined;
  let lastKey: string | undefined;
  const unmappable: { archiveKey: string; reason: string }[] = [];
  for (const prefix of prefixesFor(vendor.id, request.since, until)) {
    for await (const archiveKey of deps.archive.list(prefix)) {
      if (request.after !== undefined && archiveKey <= request.after) continue;
      const named = ARCHIVE_NAME.exec(archiveKey);
      if (!named) continue; // large mappings (`.mapping.json`) and anything else beside the deliveries
      const receivedAt = Number(named[1]);
      if ((request.since !== undefined && receivedAt < request.since) || receivedAt >= until) continue;
      if (request.budgetMs !== undefined && found > 0 && now() - startedAt >= request.budgetMs) {
        return result(false, lastKey);
      }
      const text = await deps.archive.readText(archiveKey);
      if (text === undefined) continue; // expired by the lifecycle rule between list and read
      found++;
      firstReceivedAt ??= receivedAt;
      lastReceivedAt = receivedAt;
      lastKey = archiveKey;
      try {
        const delivery = JSON.parse(text) as ArchivedDelivery;
        const signedEventId = signedMessageId(channel, delivery.headers);
        const mapping = await mapWebhookPayload(channel.payloadFormat, Buffer.from(delivery.bodyBase64, "base64"), {
          ...(signedEventId ? { signedEventId } : {}),
          headers: delivery.headers,
          receivedAt: delivery.receivedAt,
          keyIndex: deps.keyIndex,
        });
        if (mapping.kind === "ignored") {
          ignored++;
          continue;
        }
        if (dryRun) continue;
        const message: WebhookMessage = {
          kind: "webhook",
          version: 1,
          vendorId: vendor.id,
          eventId: mapping.eventId,
          receivedAt: delivery.receivedAt,
          archiveKey,
          mapping,
        };
        await deps.queue.send({
          body: JSON.stringify(message),
          attributes: { vendorId: vendor.id, kind: "webhook", replay: "true" },
        });
        queued++;
      } catch (error) {
        unmappable.push({ archiveKey, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return result(true, undefined);

  function result(complete: boolean, resumeAfter: string | undefined): ReplayOutcome {
    return {
      vendorId: vendor.id,
      found,
      queued,
      ignored,
      unmappable,
      dryRun,
      ...(firstReceivedAt !== undefined ? { firstReceivedAt } : {}),
      ...(lastReceivedAt !== undefined ? { lastReceivedAt } : {}),
      complete,
      ...(resumeAfter !== undefined ? { resumeAfter } : {}),
    };
  }
}
