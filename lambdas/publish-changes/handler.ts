/** Lambda entry of publish-changes. */
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import * as v from "valibot";
import { log } from "../runtime/powertools.ts";
import { makeHandler, type NotificationPublisher } from "./publish-changes.ts";

const env = v.parse(v.object({ CHANGES_TOPIC_ARN: v.pipe(v.string(), v.startsWith("arn:")) }), process.env);
const sns = new SNSClient({});

const publisher: NotificationPublisher = {
  publishBatch: async (entries) => {
    const response = await sns.send(
      new PublishBatchCommand({
        TopicArn: env.CHANGES_TOPIC_ARN,
        PublishBatchRequestEntries: entries.map(({ notification, body }, index) => ({
          Id: String(index),
          Message: body,
          MessageAttributes: Object.fromEntries(
            Object.entries(notification.attributes).map(([name, value]) => [
              name,
              { DataType: "String", StringValue: value },
            ]),
          ),
        })),
      }),
    );
    return (response.Failed ?? []).map((failure) => entries[Number(failure.Id)]?.id ?? "");
  },
};

const publish = makeHandler({ publisher, log });

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => publish(event);
