import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { OpsNotification } from "../../core/operations/ops-notifications.ts";

/**
 * Publishes operations notifications (a conflict to review) on the jobs and operations topic, with
 * `vendorId` and `kind` message attributes for subscription filter policies.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export class SnsOpsNotifier {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  async publish(notification: OpsNotification): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: notification.subject,
        Message: JSON.stringify(notification.message),
        MessageAttributes: {
          vendorId: { DataType: "String", StringValue: notification.attributes.vendorId },
          kind: { DataType: "String", StringValue: notification.attributes.kind },
        },
      }),
    );
  }
}
