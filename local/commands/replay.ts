import { DynamoPlatformKeyIndex } from "../../lambdas/adapters/dynamodb/platform-key-index.ts";
import { ValidationError } from "../../lambdas/core/errors.ts";
import {
  type ArchivedDelivery,
  archivePrefixFor,
  type WebhookMessage,
} from "../../lambdas/core/realtime/webhook-message.ts";
import { parseTimestamp } from "../../lambdas/core/timestamps.ts";
import { mapWebhookPayload } from "../../lambdas/core/webhooks/payload-mappers.ts";
import type { Sandbox } from "../sandbox.ts";

export interface ReplayOptions {
  readonly vendorId: string;
  /** ISO 8601: only deliveries received at or after. */
  readonly since?: string;
  /** ISO 8601: only deliveries received before. */
  readonly until?: string;
}

export interface ReplayResult {
  readonly vendorId: string;
  /** Archived deliveries found in the window. */
  readonly found: number;
  /** Queued again for the processor. */
  readonly queued: number;
  /** Deliveries whose archived body no longer maps (kept with their reason). */
  readonly unmappable: { readonly archiveKey: string; readonly reason: string }[];
}

/**
 * Re-runs archived raw deliveries of a vendor through the real-time path: each archived body is mapped
 * again and queued with its original event id and receive time. The write path is idempotent, so a
 * replay changes data at most once (already-applied events come back `unchanged` or `duplicate`).
 *
 * @throws {ValidationError} for an unknown vendor, a vendor without a webhook channel, or a bad time.
 */
export async function replayArchived(sandbox: Sandbox, options: ReplayOptions): Promise<ReplayResult> {
  const vendor = sandbox.vendor(options.vendorId);
  const channel = vendor.channels.webhook;
  if (!channel) throw new ValidationError(`vendor ${vendor.id} has no webhook channel`, { field: "--vendor" });
  const since = options.since === undefined ? 0 : parseTimestamp(options.since, { field: "--since" });
  const until =
    options.until === undefined ? Number.POSITIVE_INFINITY : parseTimestamp(options.until, { field: "--until" });
  const keyIndex = new DynamoPlatformKeyIndex({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync });
  const keys: string[] = [];
  for await (const key of sandbox.archive.list(archivePrefixFor(vendor.id))) {
    if (key.endsWith(".json") && !key.endsWith(".mapping.json")) keys.push(key);
  }
  const result: ReplayResult = { vendorId: vendor.id, found: 0, queued: 0, unmappable: [] };
  let found = 0;
  let queued = 0;
  for (const archiveKey of keys) {
    const text = await sandbox.archive.readText(archiveKey);
    if (!text) continue;
    const delivery = JSON.parse(text) as ArchivedDelivery;
    if (delivery.receivedAt < since || delivery.receivedAt >= until) continue;
    found++;
    try {
      const mapping = await mapWebhookPayload(channel.payloadFormat, Buffer.from(delivery.bodyBase64, "base64"), {
        headers: delivery.headers,
        receivedAt: delivery.receivedAt,
        keyIndex: keyIndex.forVendor(vendor.id),
      });
      if (mapping.kind === "ignored") continue;
      const message: WebhookMessage = {
        kind: "webhook",
        version: 1,
        vendorId: vendor.id,
        eventId: mapping.eventId,
        receivedAt: delivery.receivedAt,
        archiveKey,
        mapping,
      };
      await sandbox.realtimeQueue.send({
        body: JSON.stringify(message),
        attributes: { vendorId: vendor.id, kind: "webhook", replay: "true" },
      });
      queued++;
    } catch (error) {
      result.unmappable.push({ archiveKey, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { ...result, found, queued };
}
