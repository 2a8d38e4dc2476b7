import { Duration } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { MAX_RECEIVE_COUNT } from "../../lambdas/core/vendor-config.ts";

export interface SyncQueueProps {
  /** Timeout of the function consuming the queue. */
  readonly consumerTimeout: Duration;
  /** Event source batching window. @default Duration.seconds(0) */
  readonly maxBatchingWindow?: Duration;
  /** How long an unconsumed message is kept. @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** How long a dead-lettered message is kept; must be longer than `retentionPeriod`, because a DLQ message keeps its original enqueue time. @default Duration.days(14) */
  readonly deadLetterRetentionPeriod?: Duration;
  /** Receives before SQS moves a message to the DLQ. @default {@link MAX_RECEIVE_COUNT} (8) */
  readonly maxReceiveCount?: number;
}

/**
 * A work queue with its dead-letter queue, built one way for every workflow: SSE with SQS-managed
 * keys, TLS enforced by the queue policy, visibility timeout 6 × consumer timeout + batching window
 * (the Lambda guidance), `maxReceiveCount` ≥ 5 so throttled receives do not dead-letter a message,
 * and a DLQ that keeps messages longer than the queue does.
 *
 * Default settings: 4-day retention, 14-day DLQ retention, maxReceiveCount 8.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html#events-sqs-queueconfig
 */
export class SyncQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SyncQueueProps) {
    super(scope, id);
    const retention = props.retentionPeriod ?? Duration.days(4);
    const dlqRetention = props.deadLetterRetentionPeriod ?? Duration.days(14);
    if (dlqRetention.toSeconds() <= retention.toSeconds()) {
      throw new Error(
        `${id}: the DLQ must keep messages longer than the queue (${dlqRetention.toHumanString()} ≤ ${retention.toHumanString()})`,
      );
    }
    const maxReceiveCount = props.maxReceiveCount ?? MAX_RECEIVE_COUNT;
    if (maxReceiveCount < 5) throw new Error(`${id}: maxReceiveCount must be at least 5, got ${maxReceiveCount}`);
    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      retentionPeriod: dlqRetention,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const visibility = props.consumerTimeout.toSeconds() * 6 + (props.maxBatchingWindow?.toSeconds() ?? 0);
    this.queue = new Queue(this, "Queue", {
      retentionPeriod: retention,
      visibilityTimeout: Duration.seconds(visibility),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }
}
