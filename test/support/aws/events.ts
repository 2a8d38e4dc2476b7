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
    /** Absent for a delete (REMOVE). */
    after?: Record<string, AttributeValue>;
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
    eventName: !write.after ? "REMOVE" : write.before ? "MODIFY" : "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: stack.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: write.keys as never,
      ...(write.after ? { NewImage: write.after as never } : {}),
      ...(write.before ? { OldImage: write.before as never } : {}),
      SequenceNumber: String(++sequence).padStart(21, "0"),
      SizeBytes: JSON.stringify(write.after ?? write.before ?? write.keys).length,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: mapping.EventSourceArn,
  }));
  return { Records: records.filter((record) => filters.length === 0 || filters.some((f: Json) => matches(f, record))) };
}

/** The EventBridge event S3 sends for a new object (bucket with EventBridge notifications on). */
export function objectCreatedEvent(app: DeployedApp, bucket: string, key: string, size: number, versionId: string) {
  const region = app.stacks[0]?.region ?? "";
  return {
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    source: "aws.s3",
    account: app.account,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: {
        key,
        size,
        etag: "b1946ac92492d2347c6235b4d2611184",
        "version-id": versionId,
        sequencer: "00617F08299329D189",
      },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: app.account,
      "source-ip-address": "203.0.113.15",
      reason: "PutObject",
    },
  };
}

/** An EventBridge scheduled-rule event, as the freshness monitor's rule sends it. */
export function scheduledRuleEvent(app: DeployedApp) {
  const [ruleId] =
    app.resources("AWS::Events::Rule").find(([, rule]) => rule.Properties.ScheduleExpression !== undefined) ?? [];
  const region = app.stacks[0]?.region ?? "";
  return {
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: app.account,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: ruleId ? [app.attribute(ruleId, "Arn")] : [],
    detail: {},
  };
}

/**
 * The EventBridge event Step Functions sends when an execution's status changes (for a rule on the
 * batch state machine's failures, timeouts or aborts).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
export function executionStatusChangeEvent(
  app: DeployedApp,
  stateMachineArn: string,
  executionName: string,
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED",
  input: unknown,
  /** The execution's error and cause (StopExecution's for ABORTED). @default a task's failure for FAILED, else none */
  ended?: { readonly error: string | null; readonly cause: string | null },
) {
  const region = stateMachineArn.split(":")[3] ?? "";
  const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${executionName}`;
  const now = Date.now();
  return {
    version: "0",
    id: "315c1398-40ff-a850-213b-158f73e60175",
    "detail-type": "Step Functions Execution Status Change",
    source: "aws.states",
    account: app.account,
    time: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn,
      name: executionName,
      status,
      startDate: now - 60_000,
      stopDate: status === "RUNNING" ? null : now,
      input: JSON.stringify(input),
      output: null,
      inputDetails: { included: true },
      outputDetails: null,
      error: ended ? ended.error : status === "FAILED" ? "States.TaskFailed" : null,
      cause: ended ? ended.cause : status === "FAILED" ? "a task failed" : null,
    },
  };
}
