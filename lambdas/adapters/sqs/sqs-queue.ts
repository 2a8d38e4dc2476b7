import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { MessageControl, OutgoingMessage, QueueSender } from "../../core/ports.ts";

const toAttributes = (attributes: Readonly<Record<string, string>> = {}): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: "String", StringValue: value }]),
  );

/** Sends to one SQS queue. @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html */
export class SqsQueueSender implements QueueSender {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const response = await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#queueUrl,
        MessageBody: message.body,
        MessageAttributes: toAttributes(message.attributes),
        ...(message.delaySeconds ? { DelaySeconds: message.delaySeconds } : {}),
      }),
    );
    return { messageId: response.MessageId ?? "" };
  }
}

/**
 * Visibility and explicit dead-lettering for messages of one SQS queue. A message moved by the
 * consumer keeps its body and gets `deadLetterReason` and `sourceQueue` attributes, so a redrive
 * needs an explicit destination (StartMessageMoveTask cannot infer one for it).
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 */
export class SqsMessageControl implements MessageControl {
  readonly #client: SQSClient;
  readonly #queueUrl: string;
  readonly #deadLetterQueueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string; deadLetterQueueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
    this.#deadLetterQueueUrl = options.deadLetterQueueUrl;
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.#queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: Math.max(0, Math.min(43_200, Math.round(seconds))),
      }),
    );
  }

  async deadLetter(
    message: { receiptHandle: string; body: string; attributes: Readonly<Record<string, string>> },
    reason: string,
  ): Promise<void> {
    await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.#deadLetterQueueUrl,
        MessageBody: message.body,
        MessageAttributes: toAttributes({
          ...message.attributes,
          deadLetterReason: reason.slice(0, 1000),
          sourceQueue: this.#queueUrl,
        }),
      }),
    );
    await this.#client.send(
      new DeleteMessageCommand({ QueueUrl: this.#queueUrl, ReceiptHandle: message.receiptHandle }),
    );
  }
}
