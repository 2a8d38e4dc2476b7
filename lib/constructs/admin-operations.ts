import { CfnOutput, Stack } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { SYNC_TABLE } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { ADMIN_OPERATION_ROUTES } from "../../lambdas/admin-operations/admin-operations.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import type { AdminApi, AdminRouteKey } from "./admin-api.ts";
import type { SyncQueue } from "./sync-queue.ts";
import { VendorSyncFunction } from "./vendor-sync-function.ts";

export interface AdminOperationsProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** The queues the DLQ workbench works on, by name (`realtime`, `sync`). */
  readonly queues: Readonly<Record<string, SyncQueue>>;
  /** Where a resumed vendor's parked webhook messages and replayed deliveries go. */
  readonly resumeQueue: SyncQueue;
  /** The webhook archive: replay reads `webhooks/` (read-only). */
  readonly archiveBucket: IBucket;
  readonly adminApi: AdminApi;
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
}

/**
 * Everyday operations behind the admin API (IAM auth) and as a directly invokable function: conflict
 * review, the DLQ workbench, vendor pause/resume and replay of archived webhooks (`lambdas/admin-operations`).
 *
 * Permissions: read/write on both tables (records only with a version-checked write when a resolution
 * is applied), queue depths, peeking at and redriving the dead-letter queues (an SQS message-move task
 * with an explicit destination), sending resumed and replayed messages to the real-time queue, and
 * reading the webhook archive (`webhooks/` only).
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 */
export class AdminOperations extends Construct {
  readonly function: VendorSyncFunction;

  constructor(scope: Construct, id: string, props: AdminOperationsProps) {
    super(scope, id);
    const queues = Object.fromEntries(
      Object.entries(props.queues).map(([name, q]) => [
        name,
        {
          queueUrl: q.queue.queueUrl,
          queueArn: q.queue.queueArn,
          deadLetterQueueUrl: q.deadLetterQueue.queueUrl,
          deadLetterQueueArn: q.deadLetterQueue.queueArn,
        },
      ]),
    );
    this.function = new VendorSyncFunction(this, "Function", {
      entry: "lambdas/admin-operations/handler.ts",
      description: "Admin operations: conflict review, DLQ workbench, vendor pause and resume, webhook replay",
      vendors: props.vendors,
      logRetention: props.logRetention,
      environment: { QUEUES: Stack.of(this).toJsonString(queues) },
    })
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME")
      .bindTable(props.syncTable, "SYNC_TABLE_NAME", { indexes: [SYNC_TABLE.byVendorIndex] })
      .bindQueueSend(props.resumeQueue.queue, "REALTIME_QUEUE_URL")
      .bindBucket(props.archiveBucket, "ARCHIVE_BUCKET_NAME", { read: ["webhooks/"], list: ["webhooks/"] });
    const role = this.function.role;
    for (const queue of Object.values(props.queues)) {
      role.addToPolicy(
        new PolicyStatement({
          actions: ["sqs:GetQueueAttributes"],
          resources: [queue.queue.queueArn, queue.deadLetterQueue.queueArn],
        }),
      );
      // Peek (receive with a 1-second visibility) and the message-move task's own reads and deletes on the DLQ.
      role.addToPolicy(
        new PolicyStatement({
          actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:StartMessageMoveTask", "sqs:ListMessageMoveTasks"],
          resources: [queue.deadLetterQueue.queueArn],
        }),
      );
      queue.queue.grantSendMessages(role);
    }
    props.adminApi.addRoutes(
      "AdminOperations",
      Object.keys(ADMIN_OPERATION_ROUTES) as AdminRouteKey[],
      this.function.function,
    );
    new CfnOutput(this, "FunctionName", {
      key: "AdminOperationsFunctionName",
      value: this.function.function.functionName,
      description: "Invoke directly for conflict review, the DLQ workbench and vendor pause",
    });
  }
}
