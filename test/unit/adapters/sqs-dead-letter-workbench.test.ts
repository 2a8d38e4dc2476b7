import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { SqsDeadLetterWorkbench } from "../../../lambdas/adapters/sqs/dead-letter-workbench.ts";
import { ValidationError } from "../../../lambdas/core/errors.ts";

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const workbench = () =>
  new SqsDeadLetterWorkbench({
    client: new SQSClient({ region: "eu-central-1" }),
    queues: {
      realtime: {
        queueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/rt",
        queueArn: "arn:aws:sqs:eu-central-1:123456789012:rt",
        deadLetterQueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/rt-dlq",
        deadLetterQueueArn: "arn:aws:sqs:eu-central-1:123456789012:rt-dlq",
      },
    },
  });

describe("SqsDeadLetterWorkbench", () => {
  it("reports each queue's and DLQ's depth, visible plus in flight plus delayed", async () => {
    sqs
      .on(GetQueueAttributesCommand, { QueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/rt" })
      .resolves({
        Attributes: {
          ApproximateNumberOfMessages: "3",
          ApproximateNumberOfMessagesNotVisible: "2",
          ApproximateNumberOfMessagesDelayed: "0",
        },
      })
      .on(GetQueueAttributesCommand, { QueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/rt-dlq" })
      .resolves({ Attributes: { ApproximateNumberOfMessages: "7" } });
    expect(await workbench().depths()).toEqual([
      { queue: "realtime", deadLetterQueue: "realtime-dlq", messages: 5, deadLetters: 7 },
    ]);
  });

  it("peeks at dead letters with a 1-second visibility, showing the consumer's reason", async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: "m1",
          Body: "{}",
          Attributes: { ApproximateReceiveCount: "4", SentTimestamp: "1800000000000" },
          MessageAttributes: { deadLetterReason: { DataType: "String", StringValue: "gave up after 4 attempts" } },
        },
      ],
    });
    const [message] = await workbench().peek("realtime");
    expect(message).toEqual({
      messageId: "m1",
      body: "{}",
      attributes: { deadLetterReason: "gave up after 4 attempts" },
      receiveCount: 4,
      sentAt: 1_800_000_000_000,
      deadLetterReason: "gave up after 4 attempts",
    });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input).toMatchObject({
      QueueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/rt-dlq",
      VisibilityTimeout: 1,
    });
  });

  it("redrives with an explicit destination (the source queue) and a rate cap", async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "task-1" });
    expect(await workbench().redrive("realtime-dlq", { ratePerSecond: 5 })).toEqual({
      queue: "realtime",
      taskHandle: "task-1",
    });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: "arn:aws:sqs:eu-central-1:123456789012:rt-dlq",
      DestinationArn: "arn:aws:sqs:eu-central-1:123456789012:rt",
      MaxNumberOfMessagesPerSecond: 5,
    });
  });

  it("fails on an unknown queue, naming the known ones", async () => {
    await expect(workbench().peek("orders")).rejects.toThrow(ValidationError);
    await expect(workbench().peek("orders")).rejects.toThrow(/queues: realtime/);
  });
});
