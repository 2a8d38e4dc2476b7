/**
 * The real-time workflow through the deployed functions: signed webhooks into ingest, the queue's
 * batches into the processor (a price-guard conflict notified, a poison message retried and
 * dead-lettered), the records table's stream into the change publisher.
 */
import { expect } from "vitest";
import { FAKE_ACCOUNT } from "../../support/aws/cloudformation.ts";
import { sqsEventFrom, streamEventFor } from "../../support/aws/events.ts";
import type { ContractHarness } from "../../support/aws/harness.ts";
import { stripeSignature, webhookEvent } from "../../support/webhooks.ts";

export const CANONICAL_SECRET_NAME = "vendor-sync/canonical/webhook";
export const CANONICAL_SECRET = "whsec_contract_tests";

/** A signed canonical price webhook, as API Gateway hands it to ingest. */
export function canonicalWebhook(eventId: string, key: string, amount: string, sourceTs = "2026-11-10T00:00:00Z") {
  return canonicalDelivery(eventId, [
    { entityType: "price", entityKey: key, sourceTs, attributes: { amount, currency: "USD" } },
  ]);
}

/** A signed canonical webhook carrying any changes. */
export function canonicalDelivery(eventId: string, data: unknown[]) {
  const body = Buffer.from(
    JSON.stringify({ id: eventId, type: "changes", created: Math.floor(Date.now() / 1000), data }),
  );
  const signature = stripeSignature(CANONICAL_SECRET, body, Math.floor(Date.now() / 1000));
  return webhookEvent(
    "canonical",
    body,
    { "content-type": "application/json", "stripe-signature": signature },
    { base64: true, accountId: FAKE_ACCOUNT },
  );
}

type HttpResult = { statusCode: number; body: string };
type BatchResult = { batchItemFailures: { itemIdentifier: string }[] };

/** Delivers a webhook and lets the processor take the queue's batch. */
export async function deliverAndProcess(h: ContractHarness, event: unknown): Promise<HttpResult> {
  const ingest = h.functions.byEntry("ingest-webhook");
  const processor = h.functions.byEntry("process-changes");
  const answer = (await h.functions.invoke(ingest, event)) as HttpResult;
  const queueUrl = String(processor.environment.REALTIME_QUEUE_URL);
  const batch = sqsEventFrom(h.services, queueUrl);
  if (batch.Records.length > 0) {
    const result = (await h.functions.invoke(processor, batch)) as BatchResult;
    expect(result.batchItemFailures).toEqual([]);
  }
  return answer;
}

export async function realtimeScenario(h: ContractHarness): Promise<void> {
  h.services.secrets.set(CANONICAL_SECRET_NAME, CANONICAL_SECRET);
  const processor = h.functions.byEntry("process-changes");
  const publisher = h.functions.byEntry("publish-changes");
  const queueUrl = String(processor.environment.REALTIME_QUEUE_URL);

  // Accepted, then the same delivery again: a duplicate, not queued twice.
  expect((await deliverAndProcess(h, canonicalWebhook("evt-rt-1", "RT-1", "10.00"))).statusCode).toBe(202);
  expect((await deliverAndProcess(h, canonicalWebhook("evt-rt-1", "RT-1", "10.00"))).statusCode).toBeLessThan(300);
  // A price change over the vendor's guard: a conflict for review, notified on the ops topic.
  await deliverAndProcess(h, canonicalWebhook("evt-rt-2", "RT-1", "90.00", "2026-11-11T00:00:00Z"));
  const opsTopic = String(processor.environment.OPS_TOPIC_ARN);
  expect(h.services.published.some((p) => p.topicArn === opsTopic)).toBe(true);

  // A change refused by a business rule (negative stock): kept with its reason in the archive's rejects.
  await deliverAndProcess(
    h,
    canonicalDelivery("evt-rt-3", [
      { entityType: "inventory", entityKey: "RT-INV", sourceTs: "2026-11-10T00:00:00Z", attributes: { available: -3 } },
    ]),
  );
  // A delivery whose mapping is too large to queue inline: it travels as a pointer to the archive.
  const many = Array.from({ length: 50 }, (_, i) => ({
    entityType: "product",
    entityKey: `RT-BIG-${i}`,
    sourceTs: "2026-11-10T00:00:00Z",
    attributes: { title: `Product ${i}`, description: "Large catalog text. ".repeat(250) },
  }));
  expect((await deliverAndProcess(h, canonicalDelivery("evt-rt-big", many))).statusCode).toBe(202);
  // The queue is down: the claim on the event id is released, so the vendor's retry is not a duplicate.
  h.services.failNext("SQS", "SendMessageCommand", 3); // every attempt of the SDK's default retry strategy
  expect(
    (await deliverAndProcess(h, canonicalWebhook("evt-rt-down", "RT-9", "1.00"))).statusCode,
  ).toBeGreaterThanOrEqual(500);
  expect((await deliverAndProcess(h, canonicalWebhook("evt-rt-down", "RT-9", "1.00"))).statusCode).toBe(202);

  // The stream: the stored record's insert, as the publisher's event source mapping delivers it.
  const [item] = await h.scanTable(String(processor.environment.RECORDS_TABLE_NAME));
  if (!item) throw new Error("the processor stored no record");
  const mapping = h.app
    .resources("AWS::Lambda::EventSourceMapping")
    .find(([, m]) => m.Properties.FunctionName.Ref === publisher.logicalId)?.[0];
  if (!mapping) throw new Error("no event source mapping for the change publisher");
  const stream = streamEventFor(h.app, mapping, [{ after: item, keys: { pk: item.pk as never } }]);
  expect(await h.functions.invoke(publisher, stream)).toEqual({ batchItemFailures: [] });
  const changesTopic = String(publisher.environment.CHANGES_TOPIC_ARN);
  expect(h.services.published.some((p) => p.topicArn === changesTopic)).toBe(true);

  // A message the processor cannot read: retried (visibility), then moved to the dead-letter queue.
  h.services.queues.set(queueUrl, [{ MessageId: "poison-1", Body: "not json", receives: 0 }]);
  const first = (await h.functions.invoke(processor, sqsEventFrom(h.services, queueUrl))) as BatchResult;
  expect(first.batchItemFailures).toEqual([{ itemIdentifier: "poison-1" }]);
  h.services.queues.set(queueUrl, [{ MessageId: "poison-1", Body: "not json", receives: 0 }]);
  await h.functions.invoke(processor, sqsEventFrom(h.services, queueUrl, 20));
  const dlqUrl = String(processor.environment.REALTIME_DLQ_URL);
  expect(h.services.queues.get(dlqUrl)?.map((m) => m.Body)).toContain("not json");
}
