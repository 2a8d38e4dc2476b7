/**
 * process-changes — the real-time queue's consumer: applies each verified vendor event through the
 * shared write path, reporting partial batch failures (Powertools batch processing).
 *
 * Per message: validation and business-rule rejections, duplicates and stale changes are acknowledged
 * (kept or counted, never retried); a transient failure is retried with exponential backoff and full
 * jitter (ChangeMessageVisibility) until the vendor's `maxRetries`, then the message is moved to the
 * dead-letter queue with its reason. `batchItemFailures` is empty only when every record succeeded.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as v from "valibot";
import type { Change } from "../core/change.ts";
import { changeContext, intake } from "../core/changes/context.ts";
import type { ChangeApplier, ChangeInterpreter } from "../core/changes/interpreter.ts";
import { type ChangeResult, type RejectEntry, rejectEntryOf } from "../core/changes/results.ts";
import { SystemError, TransientError, ValidationError } from "../core/errors.ts";
import { inventoryDeltaChange } from "../core/inventory-delta.ts";
import { assertValueNesting } from "../core/json-nesting.ts";
import { parkedKeyFor, type VendorPauseControl } from "../core/operations/vendor-pause.ts";
import type { Log, MessageControl, ObjectStore } from "../core/ports.ts";
import { decideRetry, type RetryPolicy } from "../core/realtime/retry-policy.ts";
import { type WebhookMessage, WebhookMessageSchema } from "../core/realtime/webhook-message.ts";
import type { ResourceFetcher, WebhookMapping } from "../core/webhooks/results.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

export type { ResourceFetcher } from "../core/webhooks/results.ts";

/** What became of one message (the sandbox and the demo print it). */
export interface ProcessedMessage {
  readonly vendorId: string;
  readonly eventId: string;
  readonly results: readonly ChangeResult[];
  /** Why nothing was written, when nothing was (ignored, rejected, dead-lettered). */
  readonly note?: string;
}

export interface ProcessChangesDeps {
  readonly vendors: VendorRegistry;
  /** The change interpreter (live mode; platform deletes). */
  readonly writer: ChangeApplier & Pick<ChangeInterpreter, "deleteResource">;
  /** Archived deliveries and large mappings. */
  readonly archive: ObjectStore;
  /** Where rejected changes are kept (`rejects/<vendor>/<day>/<eventId>.json`). */
  readonly rejects: ObjectStore;
  readonly control: MessageControl;
  readonly fetcher?: ResourceFetcher;
  /** Pause control: a message of a paused vendor is parked (not retried, not dead-lettered). */
  readonly pause?: VendorPauseControl;
  readonly log: Log;
  readonly retry?: RetryPolicy;
  readonly random?: () => number;
  /** Called after each message (metrics, the sandbox's event log). */
  readonly onProcessed?: (processed: ProcessedMessage) => void;
}

/** Retries for a message whose vendor is unknown (it could not be read). */
const DEFAULT_MAX_RETRIES = 3;

/**
 * @throws {TransientError} when a change failed: the written ones are unchanged or duplicates on the
 *   retry, so the whole message is safe to redo.
 */
function throwIfFailed(results: readonly ChangeResult[]): void {
  const failed = results.filter((result) => result.outcome === "failed");
  if (failed.length > 0) throw new TransientError(`${failed.length} change(s) failed: ${failed[0]?.reason}`);
}

/** Builds the processor: `(event, context) => { batchItemFailures }`. */
export function makeHandler(deps: ProcessChangesDeps) {
  const random = deps.random ?? Math.random;

  async function keepRejects(
    message: Pick<WebhookMessage, "vendorId" | "eventId" | "receivedAt">,
    entries: RejectEntry[],
  ) {
    if (entries.length === 0) return;
    const day = new Date(message.receivedAt).toISOString().slice(0, 10).replaceAll("-", "/");
    await deps.rejects.writeText(
      `rejects/${message.vendorId}/${day}/${encodeURIComponent(message.eventId)}.json`,
      JSON.stringify({ vendorId: message.vendorId, eventId: message.eventId, rejects: entries }),
    );
  }

  async function loadMapping(message: WebhookMessage): Promise<WebhookMapping> {
    if (message.mapping) return message.mapping;
    const text = message.mappingKey ? await deps.archive.readText(message.mappingKey) : undefined;
    if (!text)
      throw new ValidationError(`mapping ${message.mappingKey ?? "(none)"} is missing`, { field: "mappingKey" });
    return JSON.parse(text) as WebhookMapping;
  }

  async function process(message: WebhookMessage): Promise<ProcessedMessage> {
    const vendor = deps.vendors.get(message.vendorId);
    let mapping = await loadMapping(message);
    // The ingest limit, again: a message queued before it (or replayed from elsewhere) is refused, not retried.
    assertValueNesting(mapping, { field: "mapping" });
    if (mapping.kind === "fetch") {
      if (!deps.fetcher) {
        throw new ValidationError(
          `thin notification for ${mapping.resource.type} ${mapping.resource.id}: vendor ${vendor.id} has no pull connector to fetch it`,
          { field: "resource" },
        );
      }
      mapping = await deps.fetcher.fetch(vendor.id, mapping);
    }
    if (mapping.kind === "ignored")
      return { vendorId: vendor.id, eventId: message.eventId, results: [], note: mapping.reason };
    if (mapping.kind === "fetch") throw new TransientError("connector returned another fetch");
    if (mapping.kind === "platform-delete") {
      const results = await deps.writer.deleteResource(
        vendor.id,
        mapping.resource,
        { sourceTs: mapping.sourceTs, source: "vendor:webhook", eventId: mapping.eventId },
        { workflow: "real-time", jobId: "real-time" },
      );
      throwIfFailed(results);
      return {
        vendorId: vendor.id,
        eventId: message.eventId,
        results,
        ...(results.length === 0 ? { note: "delete remembered: no record of it stored yet" } : {}),
      };
    }
    const inputs = mapping.kind === "changes" ? mapping.changes : [];
    // A relative movement is applied by the write path itself, exactly once by event id (inventory-delta.ts).
    const changes: Change[] =
      mapping.kind === "inventory-delta"
        ? [
            inventoryDeltaChange(mapping, {
              vendorId: vendor.id,
              jobId: "real-time",
              workflow: "real-time",
              source: "vendor:webhook",
            }),
          ]
        : [];
    const results: ChangeResult[] = [];
    const context = changeContext(vendor, {
      workflow: "real-time",
      jobId: "real-time",
      source: "vendor:webhook",
      asOf: message.receivedAt,
    });
    for (const item of intake(inputs, context)) {
      if ("refused" in item) results.push({ ...item.refused, eventId: message.eventId });
      else changes.push(item.change);
    }
    const written = changes.length > 0 ? await deps.writer.writeBatch(changes) : [];
    results.push(...written);
    // Failed changes are retried with the message, not kept.
    const rejects = results.flatMap((result) => {
      const entry = rejectEntryOf(result);
      return entry?.outcome === "rejected" ? [entry] : [];
    });
    await keepRejects(message, rejects);
    throwIfFailed(written);
    return { vendorId: vendor.id, eventId: message.eventId, results };
  }

  /** Retries a failed message with backoff, or moves it to the DLQ after the vendor's `maxRetries`. */
  async function retryOrDeadLetter(
    record: SQSRecord,
    vendorId: string | undefined,
    eventId: string | undefined,
    error: unknown,
  ) {
    const vendor = vendorId && deps.vendors.has(vendorId) ? deps.vendors.get(vendorId) : undefined;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? "1");
    const decision = decideRetry(receiveCount, vendor?.maxRetries ?? DEFAULT_MAX_RETRIES, random, deps.retry);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (decision.action === "dead-letter") {
      deps.log.error("giving up on message", { vendorId, eventId, messageId: record.messageId, receiveCount, reason });
      await deps.control.deadLetter(
        {
          receiptHandle: record.receiptHandle,
          body: record.body,
          attributes: { ...(vendorId ? { vendorId } : {}), kind: "webhook" },
        },
        `${decision.reason}: ${reason}`,
      );
      if (vendorId && eventId) deps.onProcessed?.({ vendorId, eventId, results: [], note: `dead-lettered: ${reason}` });
      return;
    }
    deps.log.warn("message will be retried", {
      vendorId,
      eventId,
      receiveCount,
      delaySeconds: decision.delaySeconds,
      reason,
    });
    await deps.control.changeVisibility(record.receiptHandle, decision.delaySeconds).catch(() => {});
    throw error;
  }

  async function recordHandler(record: SQSRecord): Promise<void> {
    let message: WebhookMessage;
    try {
      const parsed = v.safeParse(WebhookMessageSchema, JSON.parse(record.body));
      if (!parsed.success) {
        throw new SystemError(
          `invalid queue message: ${v.getDotPath(parsed.issues[0]) ?? "(root)"}: ${parsed.issues[0].message}`,
        );
      }
      message = parsed.output as WebhookMessage;
    } catch (error) {
      // Our own producer wrote it: a system fault. Reported as failed, retried, then dead-lettered and alarmed on.
      const failure =
        error instanceof SystemError
          ? error
          : new SystemError(`unreadable queue message: ${String(error)}`, { cause: error });
      deps.log.error("unreadable queue message", { messageId: record.messageId, error: failure.message });
      return retryOrDeadLetter(record, undefined, undefined, failure);
    }
    try {
      if (await deps.pause?.isPaused(message.vendorId)) {
        // Queued before the pause: park it, so waiting does not burn its receive count into the DLQ.
        await deps.pause?.park({
          vendorId: message.vendorId,
          parkedKey: parkedKeyFor(message.receivedAt, message.eventId),
          body: record.body,
          attributes: { vendorId: message.vendorId, kind: "webhook" },
          parkedAt: Date.now(),
        });
        deps.onProcessed?.({
          vendorId: message.vendorId,
          eventId: message.eventId,
          results: [],
          note: "parked: vendor paused",
        });
        return;
      }
      const processed = await process(message);
      deps.onProcessed?.(processed);
    } catch (error) {
      if (error instanceof ValidationError) {
        // Vendor data no retry can fix: kept with its reason, acknowledged.
        await keepRejects(message, [
          { outcome: "rejected", reason: error.message, field: error.field, eventId: message.eventId },
        ]);
        deps.log.warn("event rejected", {
          vendorId: message.vendorId,
          eventId: message.eventId,
          reason: error.message,
        });
        deps.onProcessed?.({
          vendorId: message.vendorId,
          eventId: message.eventId,
          results: [],
          note: `rejected: ${error.message}`,
        });
        return;
      }
      return retryOrDeadLetter(record, message.vendorId, message.eventId, error);
    }
  }

  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, recordHandler, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    }) as Promise<SQSBatchResponse>;
  };
}
