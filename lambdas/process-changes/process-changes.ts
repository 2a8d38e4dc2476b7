/**
 * process-changes — the real-time queue's consumer: applies each verified vendor event with the
 * webhook processor (`core/realtime/webhook-processor.ts`), reporting partial batch failures
 * (Powertools batch processing). This module is transport: parsing, pause, retries, dead letters.
 *
 * Per message: validation and business-rule rejections, duplicates and stale changes are acknowledged
 * (kept or counted, never retried); a transient failure is retried with exponential backoff and full
 * jitter (ChangeMessageVisibility) until the vendor's `maxRetries`, then the message is moved to the
 * dead-letter queue with its reason. `batchItemFailures` is empty only when every record succeeded.
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as v from "valibot";
import { SystemError, ValidationError } from "../core/errors.ts";
import { parkedKeyFor, type VendorPauseControl } from "../core/operations/vendor-pause.ts";
import type { Log, MessageControl } from "../core/ports.ts";
import type { RetryPolicy } from "../core/realtime/retry-policy.ts";
import { type WebhookMessage, WebhookMessageSchema } from "../core/realtime/webhook-message.ts";
import {
  type ProcessedMessage,
  WebhookProcessor,
  type WebhookProcessorDeps,
} from "../core/realtime/webhook-processor.ts";
import { retryOrDeadLetter as retryOrDeadLetterMessage } from "../runtime/queue-retry.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

export type { ResourceFetcher } from "../core/webhooks/results.ts";

export interface ProcessChangesDeps extends WebhookProcessorDeps {
  readonly vendors: VendorRegistry;
  readonly control: MessageControl;
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

/** Builds the processor: `(event, context) => { batchItemFailures }`. */
export function makeHandler(deps: ProcessChangesDeps) {
  const random = deps.random ?? Math.random;
  const processor = new WebhookProcessor(deps);

  const retryDeps = { ...deps, random };

  /** Retries a failed message with backoff, or moves it to the DLQ after the vendor's `maxRetries`. */
  async function retryOrDeadLetter(
    record: SQSRecord,
    vendorId: string | undefined,
    eventId: string | undefined,
    error: unknown,
  ): Promise<void> {
    const vendor = vendorId && deps.vendors.has(vendorId) ? deps.vendors.get(vendorId) : undefined;
    const { reason } = await retryOrDeadLetterMessage(retryDeps, record, {
      what: "message",
      maxRetries: vendor?.maxRetries ?? DEFAULT_MAX_RETRIES,
      error,
      attributes: { ...(vendorId ? { vendorId } : {}), kind: "webhook" },
      logFields: { vendorId, eventId, messageId: record.messageId },
    });
    if (vendorId && eventId) deps.onProcessed?.({ vendorId, eventId, results: [], note: `dead-lettered: ${reason}` });
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
      const processed = await processor.process(message);
      deps.onProcessed?.(processed);
    } catch (error) {
      if (error instanceof ValidationError) {
        // Vendor data no retry can fix: kept with its reason, acknowledged.
        const rejected = await processor.reject(message, error);
        deps.log.warn("event rejected", {
          vendorId: message.vendorId,
          eventId: message.eventId,
          reason: error.message,
        });
        deps.onProcessed?.(rejected);
        return;
      }
      return retryOrDeadLetter(record, message.vendorId, message.eventId, error);
    }
  }

  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    return processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    }) as Promise<SQSBatchResponse>;
  };
}
