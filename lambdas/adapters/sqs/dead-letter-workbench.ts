import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { ValidationError } from "../../core/errors.ts";
import type { DeadLetter, DeadLetterWorkbench, QueueDepth, RedriveResult } from "../../core/operations/dead-letters.ts";

/** A queue and its DLQ, by URL and ARN. */
export interface QueuePair {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
}

/**
 * {@link DeadLetterWorkbench} on SQS. SQS has no true peek: `peek` receives with a 1-second visibility
 * timeout (the messages are back at once; their receive count rises, which a DLQ without a redrive
 * policy of its own does not act on). Redrive is an SQS message-move task with an explicit destination
 * and `MaxNumberOfMessagesPerSecond`.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
export class SqsDeadLetterWorkbench implements DeadLetterWorkbench {
  readonly #client: SQSClient;
  readonly #queues: ReadonlyMap<string, QueuePair>;

  constructor(options: { client: SQSClient; queues: Readonly<Record<string, QueuePair>> }) {
    this.#client = options.client;
    this.#queues = new Map(Object.entries(options.queues));
  }

  #pair(name: string): QueuePair {
    const pair = this.#queues.get(name.replace(/-dlq$/, ""));
    if (!pair)
      throw new ValidationError(`no queue ${JSON.stringify(name)} (queues: ${[...this.#queues.keys()].join(", ")})`, {
        field: "queue",
      });
    return pair;
  }

  async #count(url: string): Promise<number> {
    const { Attributes } = await this.#client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed",
        ],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  }

  async depths(): Promise<QueueDepth[]> {
    const out: QueueDepth[] = [];
    for (const [name, pair] of this.#queues) {
      out.push({
        queue: name,
        deadLetterQueue: `${name}-dlq`,
        messages: await this.#count(pair.queueUrl),
        deadLetters: await this.#count(pair.deadLetterQueueUrl),
      });
    }
    return out;
  }

  async peek(queue: string, limit = 10): Promise<DeadLetter[]> {
    const pair = this.#pair(queue);
    const response = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: pair.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, limit)),
        VisibilityTimeout: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
        MessageAttributeNames: ["All"],
      }),
    );
    return (response.Messages ?? []).map((message) => {
      const attributes = Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue ?? ""]),
      );
      return {
        messageId: message.MessageId ?? "",
        body: message.Body ?? "",
        attributes,
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
        sentAt: Number(message.Attributes?.SentTimestamp ?? 0),
        ...(attributes.deadLetterReason ? { deadLetterReason: attributes.deadLetterReason } : {}),
      };
    });
  }

  async redrive(queue: string, options: { ratePerSecond?: number } = {}): Promise<RedriveResult> {
    const pair = this.#pair(queue);
    const response = await this.#client.send(
      new StartMessageMoveTaskCommand({
        SourceArn: pair.deadLetterQueueArn,
        DestinationArn: pair.queueArn,
        MaxNumberOfMessagesPerSecond: options.ratePerSecond ?? 10,
      }),
    );
    return { queue: queue.replace(/-dlq$/, ""), ...(response.TaskHandle ? { taskHandle: response.TaskHandle } : {}) };
  }
}
