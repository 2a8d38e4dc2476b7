import { SNSClient } from "@aws-sdk/client-sns";
import { SnsTopicPublisher } from "../adapters/sns/sns-topic-publisher.ts";
import type { LiveHooks } from "../core/changes/effects.ts";
import {
  conflictOpenedNotification,
  conflictSupersededNotification,
  type OpsNotification,
} from "../core/operations/ops-notifications.ts";
import { logger } from "./powertools.ts";

/** What a notifier needs to publish; an {@link SnsTopicPublisher} in a Lambda. */
export interface OpsPublisher {
  publish: SnsTopicPublisher["publish"];
}

/**
 * The interpreter's conflict hooks for a Lambda: newly opened conflicts and conflicts closed as
 * superseded are published on the topic (best effort, logged on failure), or nothing without a topic.
 */
export function conflictHooks(
  topicArn: string | undefined,
  publisher: OpsPublisher | undefined = topicArn
    ? new SnsTopicPublisher({ client: new SNSClient({}), topicArn })
    : undefined,
): LiveHooks {
  if (!publisher) return {};
  const publish = async (notification: OpsNotification, conflictId: string) => {
    try {
      await publisher.publish(notification);
    } catch (error) {
      logger.error("Conflict notification not published", { conflictId, kind: notification.attributes.kind, error });
    }
  };
  return {
    onConflictOpened: ({ conflictId, draft }) => publish(conflictOpenedNotification(conflictId, draft), conflictId),
    onConflictSuperseded: ({ conflictId, by }) => publish(conflictSupersededNotification(conflictId, by), conflictId),
  };
}
