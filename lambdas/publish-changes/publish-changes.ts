/**
 * publish-changes — the records table's stream consumer: one SNS message per accepted change, with
 * `vendorId`, `entityType` and `changeKind` message attributes for subscription filter policies,
 * sent in `PublishBatch` requests of up to 10 messages and 256 KB (`publish-batches.ts`: SNS bills
 * each request per 64 KB, so ten small notifications cost one publish). Writes that changed no
 * content are skipped. Reports partial batch failures by sequence number.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { fromItem } from "../adapters/dynamodb/record-item.ts";
import type { Log } from "../core/ports.ts";
import { type PublishableNotification, publishableNotification } from "../core/realtime/change-notification.ts";
import { publishBatches } from "../core/realtime/publish-batches.ts";

/** One notification to publish: `id` names it in the answer; `body` is its message as JSON. */
export interface PublishEntry extends PublishableNotification {
  readonly id: string;
}

/** Publishes up to 10 notifications, 256 KB together, in one call (SNS PublishBatch). */
export interface NotificationPublisher {
  /** @returns the ids (as given) of entries that failed. */
  publishBatch(entries: readonly PublishEntry[]): Promise<string[]>;
}

/** Builds the stream consumer. */
export function makeHandler(deps: { publisher: NotificationPublisher; log: Log }) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const entries: PublishEntry[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      const sequence = record.dynamodb?.SequenceNumber ?? "";
      if (!image) continue;
      const before = record.dynamodb?.OldImage
        ? fromItem(record.dynamodb.OldImage as Record<string, AttributeValue>)
        : undefined;
      const publishable = publishableNotification(before, fromItem(image as Record<string, AttributeValue>));
      if (publishable) entries.push({ id: sequence, ...publishable });
    }
    const failed = new Set<string>();
    for (const [start, end] of publishBatches(entries.map((entry) => entry.bytes))) {
      for (const id of await deps.publisher.publishBatch(entries.slice(start, end))) failed.add(id);
    }
    if (failed.size > 0) deps.log.error("change notifications not published", { failed: failed.size });
    // Stream order: report the first failure; Lambda retries from there (later ones are re-published, subscribers de-duplicate by eventId).
    const first = event.Records.find((r) => failed.has(r.dynamodb?.SequenceNumber ?? ""));
    return { batchItemFailures: first ? [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? "" }] : [] };
  };
}
