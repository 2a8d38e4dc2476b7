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
import { decideRetry, type RetryPolicy } from "../core/realtime/retry-policy.ts";

export type { PullEvent } from "../core/jobs/step-engine.ts";

export interface PullVendorDeps extends StepEngineDeps {
  readonly control: MessageControl;
  readonly retry?: RetryPolicy;
}

/** Builds the pull worker: `(event, context) => { batchItemFailures }`. */
export function makeHandler(deps: PullVendorDeps) {
  const random = deps.random ?? Math.random;
  const engine = new StepEngine(deps);

  async function retryOrDeadLetter(
    record: SQSRecord,
    message: SyncMessage | undefined,
    error: unknown,
    claimed = false,
  ) {
    const vendor = message && deps.vendors.has(message.vendorId) ? deps.vendors.get(message.vendorId) : undefined;
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? "1");
    const decision = decideRetry(receiveCount, vendor?.maxRetries ?? 3, random, deps.retry);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // Only this invocation's own lease is given back, so the retry can claim the step at once.
    if (message && claimed) await engine.release(message);
    if (decision.action === "dead-letter") {
      deps.log.error("giving up on sync message", { jobId: message?.jobId, receiveCount, reason });
      await deps.control.deadLetter(
        {
          receiptHandle: record.receiptHandle,
          body: record.body,
          attributes: { ...(message ? { vendorId: message.vendorId, jobId: message.jobId } : {}), kind: "sync" },
        },
        `${decision.reason}: ${reason}`,
      );
      if (message && claimed) await engine.abandon(message, `${decision.reason}: ${reason}`);
      return;
    }
    deps.log.warn("sync message will be retried", {
      jobId: message?.jobId,
      receiveCount,
      delaySeconds: decision.delaySeconds,
      reason,
    });
    await deps.control.changeVisibility(record.receiptHandle, decision.delaySeconds).catch(() => {});
    throw error;
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
