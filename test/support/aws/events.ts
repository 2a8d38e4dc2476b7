/**
 * The events AWS services hand the deployed functions, built from the template's own wiring (queue
 * and stream ARNs, event source mapping filters), for the contract tests.
 */
import { createHash, randomUUID } from "node:crypto";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent, SQSEvent } from "aws-lambda";
import type { DeployedApp, Json } from "./cloudformation.ts";
import type { FakeServices } from "./fake-services.ts";
import { queueArnOf } from "./iam-requests.ts";

/**
 * Receives every message waiting in a fake queue as Lambda's SQS event source would hand them over
 * (receive count and timestamps as attributes), and takes them off the queue.
 * @param receiveCount - the `ApproximateReceiveCount` to report (a redelivery: more than 1). @default 1
 */
export function sqsEventFrom(services: FakeServices, queueUrl: string, receiveCount = 1): SQSEvent {
  const messages = services.queues.get(queueUrl) ?? [];
  services.queues.set(queueUrl, []);
  const arn = queueArnOf(queueUrl);
  const now = String(Date.now());
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId,
      receiptHandle: `receipt-${message.MessageId}`,
      body: message.Body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: now,
        SenderId: "AROAFAKESENDER",
        ApproximateFirstReceiveTimestamp: now,
      },
      messageAttributes: Object.fromEntries(
        Object.entries(
          (message.MessageAttributes ?? {}) as Record<string, { DataType: string; StringValue: string }>,
        ).map(([name, value]) => [name, { dataType: value.DataType, stringValue: value.StringValue }]),
      ),
      md5OfBody: createHash("md5").update(message.Body).digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: arn,
      awsRegion: arn.split(":")[3] ?? "",
    })),
  };
}

/** Does an event match an event source mapping's filter pattern (exact values, nested objects)? */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([field, expected]) =>
    Array.isArray(expected)
      ? expected.includes(event?.[field])
      : typeof expected === "object" && matches(expected, event?.[field]),
  );
}

/**
 * The DynamoDB stream records of item writes, as the change publisher's event source mapping
 * delivers them: `NEW_AND_OLD_IMAGES`, filtered by the mapping's `FilterCriteria` from the template.
 */
export function streamEventFor(
  app: DeployedApp,
  mappingLogicalId: string,
  writes: readonly {
    before?: Record<string, AttributeValue>;
    after: Record<string, AttributeValue>;
    keys: Record<string, AttributeValue>;
  }[],
): DynamoDBStreamEvent {
  const stack = app.stackOf(mappingLogicalId);
  const mapping = app.resolve(app.resource(mappingLogicalId).Properties, stack);
  const filters = (mapping.FilterCriteria?.Filters ?? []).map((filter: { Pattern: string }) =>
    JSON.parse(filter.Pattern),
  );
  let sequence = 1000;
  const records: DynamoDBRecord[] = writes.map((write) => ({
    eventID: randomUUID().replace(/-/g, ""),
    eventName: write.before ? "MODIFY" : "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: stack.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: write.keys as never,
      NewImage: write.after as never,
      ...(write.before ? { OldImage: write.before as never } : {}),
      SequenceNumber: String(++sequence).padStart(21, "0"),
      SizeBytes: JSON.stringify(write.after).length,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: mapping.EventSourceArn,
  }));
  return { Records: records.filter((record) => filters.length === 0 || filters.some((f: Json) => matches(f, record))) };
}
