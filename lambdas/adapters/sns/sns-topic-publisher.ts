import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";

/** One message for a topic: a subject, a JSON body and string attributes for subscription filters. */
export interface TopicMessage {
  /** E-mail subject; cut to SNS's 100 characters. */
  readonly subject: string;
  /** Sent as JSON. */
  readonly message: unknown;
  /** String message attributes (`vendorId`, `kind`, `status`, …) for filter policies. */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Publishes notifications (job outcomes, conflicts to review) on an SNS topic.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export class SnsTopicPublisher {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  /** @throws the SNS client's error (authorisation, throttling, a deleted topic). */
  async publish(notification: TopicMessage): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: notification.subject.slice(0, 100),
        Message: JSON.stringify(notification.message),
        MessageAttributes: Object.fromEntries(
          Object.entries(notification.attributes).map(([name, value]) => [
            name,
            { DataType: "String", StringValue: value },
          ]),
        ),
      }),
    );
  }
}
