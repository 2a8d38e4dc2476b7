import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { JobNotification } from "../../core/jobs/job.ts";
import type { JobNotifier } from "../../core/jobs/ports.ts";

/**
 * Publishes job notifications to the jobs SNS topic, with `vendorId`, `status` and `workflow` message
 * attributes for subscription filter policies.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export class SnsJobNotifier implements JobNotifier {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#client = options.client;
    this.#topicArn = options.topicArn;
  }

  async jobFinished(notification: JobNotification): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: `vendor-sync job ${notification.message.status}: ${notification.message.vendorId}`.slice(0, 100),
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
