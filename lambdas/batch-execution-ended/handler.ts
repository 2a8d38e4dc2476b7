/** Lambda entry of batch-execution-ended: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoJobStore } from "../adapters/dynamodb/job-store.ts";
import { DynamoRecordStore } from "../adapters/dynamodb/record-store.ts";
import { S3ObjectStore } from "../adapters/s3/object-store.ts";
import { SnsTopicPublisher } from "../adapters/sns/sns-topic-publisher.ts";
import type { ExecutionEndedResult } from "../core/jobs/execution-ended.ts";
import { metrics } from "../runtime/powertools.ts";
import { makeHandler } from "./batch-execution-ended.ts";
import { readEnv } from "./env.ts";

const env = readEnv();
const dynamo = new DynamoDBClient({});
const topic = new SnsTopicPublisher({ client: new SNSClient({}), topicArn: env.JOBS_TOPIC_ARN });

const ended = makeHandler({
  jobs: new DynamoJobStore({ client: dynamo, tableName: env.SYNC_TABLE_NAME }),
  records: new DynamoRecordStore({ client: dynamo, tableName: env.RECORDS_TABLE_NAME }),
  store: new S3ObjectStore({ client: new S3Client({}), bucket: env.IMPORTS_BUCKET_NAME }),
  now: Date.now,
  // The Notify step's message: the same subject, body and filterable attributes.
  publish: (notification) => {
    const body = JSON.parse(notification.message) as { vendorId: string; status: string };
    return topic.publish({
      subject: notification.subject,
      message: body,
      attributes: { vendorId: body.vendorId, status: body.status, workflow: notification.workflow },
    });
  },
});

export const handler = async (event: unknown): Promise<ExecutionEndedResult> => {
  try {
    return await ended(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
