import { SNSClient } from "@aws-sdk/client-sns";
import { SnsTopicPublisher } from "../adapters/sns/sns-topic-publisher.ts";
import type { ConflictDraft } from "../core/conflict-rules.ts";
import { conflictOpenedNotification } from "../core/operations/ops-notifications.ts";
import { logger } from "./powertools.ts";

/** What a notifier needs to publish; an {@link SnsTopicPublisher} in a Lambda. */
export interface OpsPublisher {
  publish: SnsTopicPublisher["publish"];
}

/**
 * The write path's `onConflictOpened` for a Lambda: publishes each newly opened conflict on the jobs
 * and operations topic, or nothing when the function was given no topic.
 *
 * Best effort: the conflict is already stored when this runs, and a redelivery finds it open and does
 * not notify again, so a failed publish is logged (with the conflict id, for `vendor-sync conflicts
 * show`) rather than failing the change.
 */
export function conflictNotifier(
  topicArn: string | undefined,
  publisher: OpsPublisher | undefined = topicArn
    ? new SnsTopicPublisher({ client: new SNSClient({}), topicArn })
    : undefined,
): ((conflict: { conflictId: string; draft: ConflictDraft }) => Promise<void>) | undefined {
  if (!publisher) return undefined;
  return async ({ conflictId, draft }) => {
    try {
      await publisher.publish(conflictOpenedNotification(conflictId, draft));
    } catch (error) {
      logger.error("Conflict stored but its notification was not published", {
        conflictId,
        vendorId: draft.incoming.vendorId,
        error,
      });
    }
  };
}
