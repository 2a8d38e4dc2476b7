import { Duration, Validations } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Alias } from "aws-cdk-lib/aws-kms";
import { FilterCriteria, FilterRule, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { VendorSyncFunction } from "./vendor-sync-function.ts";

export interface ChangeNotificationsProps {
  /** The records table; its stream must carry new and old images. */
  readonly recordsTable: ITableV2;
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
}

/**
 * Publishes every accepted change once, from the records table's stream, to one SNS topic that
 * subscribers filter by `vendorId`, `entityType` and `changeKind` message attributes. A small stream
 * consumer does it (EventBridge Pipes cannot set SNS message attributes, which filter policies need);
 * writes that changed no content (a tombstone restamp) are not announced, and nothing is announced
 * that was not written.
 *
 * Default settings: batches of 100 stream records, bisect on error, 3 retries, failed batches'
 * pointers to an encrypted SQS queue; topic encrypted with the AWS managed SNS key, TLS enforced.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
export class ChangeNotifications extends Construct {
  readonly topic: Topic;
  readonly publisher: VendorSyncFunction;
  /** Where pointers to stream batches that could not be published go. */
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: ChangeNotificationsProps) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", {
      displayName: "Vendor sync: accepted changes",
      masterKey: Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
      enforceSSL: true,
    });
    this.failures = new Queue(this, "PublishFailures", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failures).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the failure destination of the stream consumer: it holds pointers to unpublished stream batches.",
    });
    this.publisher = new VendorSyncFunction(this, "Publisher", {
      entry: "lambdas/publish-changes/handler.ts",
      description: "Publishes accepted changes from the records table's stream to SNS",
      vendors: props.vendors,
      logRetention: props.logRetention,
      memorySize: 256,
    }).bindTopic(this.topic, "CHANGES_TOPIC_ARN");
    this.publisher.function.addEventSource(
      new DynamoEventSource(props.recordsTable, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 3,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failures),
        filters: [FilterCriteria.filter({ eventName: FilterRule.or("INSERT", "MODIFY") })],
      }),
    );
  }
}
