/**
 * pull-vendor — the standard-priority queue's consumer: runs one step of a scheduled or on-demand sync
 * job per message with the step engine (`core/jobs/step-engine.ts`). This module is transport: it
 * reads SQS batches, and retries a failed message with backoff (or dead-letters it after the vendor's
 * `maxRetries`, failing its job).
 */
import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as v from "valibot";
import { SystemError } from "../core/errors.ts";
import { type SyncMessage, SyncMessageSchema } from "../core/jobs/messages.ts";
import { StepEngine, type StepEngineDeps } from "../core/jobs/step-engine.ts";
import type { MessageControl } from "../core/ports.ts";
import type { RetryPolicy } from "../core/realtime/retry-policy.ts";
import { retryOrDeadLetter as retryOrDeadLetterMessage } from "../runtime/queue-retry.ts";

export interface PullVendorDeps extends StepEngineDeps {
  readonly control: MessageControl;
  readonly retry?: RetryPolicy;
}

/** Builds the pull worker: `(event, context) => { batchItemFailures }`. */
export function makeHandler(deps: PullVendorDeps) {
  const random = deps.random ?? Math.random;
  const engine = new StepEngine(deps);
  const retryDeps = { ...deps, random };

  /** Retries a failed message with backoff, or dead-letters it after the vendor's `maxRetries` and fails its job. */
  async function retryOrDeadLetter(
    record: SQSRecord,
    message: SyncMessage | undefined,
    error: unknown,
    claimed = false,
  ): Promise<void> {
    const vendor = message && deps.vendors.has(message.vendorId) ? deps.vendors.get(message.vendorId) : undefined;
    // Only this invocation's own lease is given back, so the retry can claim the step at once.
    if (message && claimed) await engine.release(message);
    const { deadLetterReason } = await retryOrDeadLetterMessage(retryDeps, record, {
      what: "sync message",
      maxRetries: vendor?.maxRetries ?? 3,
      error,
      attributes: { ...(message ? { vendorId: message.vendorId, jobId: message.jobId } : {}), kind: "sync" },
      logFields: { jobId: message?.jobId },
    });
    if (message && claimed) await engine.abandon(message, deadLetterReason);
  }

  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      let message: SyncMessage;
      try {
        const parsed = v.safeParse(SyncMessageSchema, JSON.parse(record.body));
        if (!parsed.success) {
          throw new SystemError(
            `invalid sync message: ${v.getDotPath(parsed.issues[0]) ?? "(root)"}: ${parsed.issues[0].message}`,
          );
        }
        message = parsed.output;
      } catch (error) {
        const failure =
          error instanceof SystemError ? error : new SystemError(`unreadable sync message: ${String(error)}`);
        return retryOrDeadLetter(record, undefined, failure);
      }
      const attempt = { claimed: false };
      try {
        await engine.run(message, context?.getRemainingTimeInMillis(), attempt);
      } catch (error) {
        return retryOrDeadLetter(record, message, error, attempt.claimed);
      }
    };
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, recordHandler, processor, {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    }) as Promise<SQSBatchResponse>;
  };
}
