import type { SNSClient } from "@aws-sdk/client-sns";
import type { JobNotification } from "../../core/jobs/job.ts";
import type { JobNotifier } from "../../core/jobs/ports.ts";
import { SnsTopicPublisher } from "./sns-topic-publisher.ts";

/**
 * Publishes job notifications to the jobs SNS topic, with `vendorId`, `status` and `workflow` message
 * attributes for subscription filter policies.
 * @see https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 */
export class SnsJobNotifier implements JobNotifier {
  readonly #topic: SnsTopicPublisher;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#topic = new SnsTopicPublisher(options);
  }

  async jobFinished(notification: JobNotification): Promise<void> {
    await this.#topic.publish({
      subject: `vendor-sync job ${notification.message.status}: ${notification.message.vendorId}`,
      message: notification.message,
      attributes: notification.attributes,
    });
  }
}
