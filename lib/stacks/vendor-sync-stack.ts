import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket, type IBucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { AdminApi } from "../constructs/admin-api.ts";
import { AdminOperations } from "../constructs/admin-operations.ts";
import { BatchSyncWorkflow } from "../constructs/batch-sync-workflow.ts";
import { ChangeNotifications } from "../constructs/change-notifications.ts";
import { FreshnessMonitor } from "../constructs/freshness-monitor.ts";
import { VendorSyncMonitoring } from "../constructs/monitoring.ts";
import { RealtimeSync } from "../constructs/realtime-sync.ts";
import { ScheduledSync } from "../constructs/scheduled-sync.ts";
import { VendorSyncFunction } from "../constructs/vendor-sync-function.ts";

export interface VendorSyncStackProps extends StackProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** The archive bucket, by name (see `archiveBucketName`). */
  readonly archiveBucketName: string;
  readonly webhookSecrets: ReadonlyMap<string, ISecret>;
  /** Optional custom domain for the webhook API (stage config). */
  readonly webhookDomain?: { readonly domainName: string; readonly certificateArn: string };
  /** Vendor uploads and the batch workflow's files (the stateful stack's imports bucket). */
  readonly importsBucket: IBucket;
  /** Validated vendor configurations. */
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
  /** E-mail addresses subscribed to the alarm topic (stage config `alarmEmails`). @default [] */
  readonly alarmEmails?: readonly string[];
}

/**
 * The stateless part: functions, queues, APIs, workflows and monitoring, wired to the stateful
 * stack's tables by typed props. Safe to destroy and redeploy.
 */
export class VendorSyncStack extends Stack {
  /** Direct-invoke entry to the shared write path for internal systems and admins. */
  readonly applyChanges: VendorSyncFunction;
  /** Webhooks → queue → processor. */
  readonly realtime: RealtimeSync;
  /** Accepted changes → SNS. */
  readonly notifications: ChangeNotifications;
  /** Publishes per-vendor freshness and pause state every 5 minutes. */
  readonly freshnessMonitor: FreshnessMonitor;
  /** Alarm topic, alarms and dashboard; new queues, functions, workflows and APIs join with `monitor*()`. */
  readonly monitoring: VendorSyncMonitoring;
  /** Batch sync of uploaded files: Step Functions with Distributed Map plan and apply. */
  readonly batchSync: BatchSyncWorkflow;
  /** IAM-authorised admin routes (features add theirs with `adminApi.addRoutes`). */
  readonly adminApi: AdminApi;
  /** Schedules, on-demand jobs, the pull worker and the watchdog. */
  readonly scheduled: ScheduledSync;
  /** Conflict review, DLQ workbench and vendor pause (admin routes and direct invoke). */
  readonly adminOperations: AdminOperations;

  constructor(scope: Construct, id: string, props: VendorSyncStackProps) {
    super(scope, id, props);
    this.applyChanges = new VendorSyncFunction(this, "ApplyChanges", {
      entry: "lambdas/apply-changes/handler.ts",
      description: "Applies canonical changes from internal systems and admins through the shared write path",
      vendors: props.vendors,
      logRetention: props.logRetention,
    })
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME")
      .bindTable(props.syncTable, "SYNC_TABLE_NAME");
    const archiveBucket = Bucket.fromBucketName(this, "ArchiveBucket", props.archiveBucketName);
    this.realtime = new RealtimeSync(this, "Realtime", {
      recordsTable: props.recordsTable,
      syncTable: props.syncTable,
      archiveBucket,
      secrets: props.webhookSecrets,
      vendors: props.vendors,
      logRetention: props.logRetention,
      ...(props.webhookDomain ? { customDomain: props.webhookDomain } : {}),
    });
    this.notifications = new ChangeNotifications(this, "ChangeNotifications", {
      recordsTable: props.recordsTable,
      vendors: props.vendors,
      logRetention: props.logRetention,
    });

    this.freshnessMonitor = new FreshnessMonitor(this, "FreshnessMonitor", {
      syncTable: props.syncTable,
      vendors: props.vendors,
      logRetention: props.logRetention,
    });
    this.adminApi = new AdminApi(this, "AdminApi", { logRetention: props.logRetention });
    this.scheduled = new ScheduledSync(this, "Scheduled", {
      recordsTable: props.recordsTable,
      syncTable: props.syncTable,
      archiveBucket,
      vendors: props.vendors,
      logRetention: props.logRetention,
      adminApi: this.adminApi,
    });
    // Operators hear about newly opened conflicts on the jobs topic, whichever workflow opened them.
    this.applyChanges.bindTopic(this.scheduled.jobsTopic, "OPS_TOPIC_ARN");
    this.realtime.processor.bindTopic(this.scheduled.jobsTopic, "OPS_TOPIC_ARN");
    this.adminOperations = new AdminOperations(this, "AdminOperations", {
      recordsTable: props.recordsTable,
      syncTable: props.syncTable,
      queues: { realtime: this.realtime.queue, sync: this.scheduled.queue },
      resumeQueue: this.realtime.queue,
      archiveBucket,
      adminApi: this.adminApi,
      vendors: props.vendors,
      logRetention: props.logRetention,
    });
    // One topic for job notifications, whichever workflow ran the job.
    this.batchSync = new BatchSyncWorkflow(this, "BatchSync", {
      recordsTable: props.recordsTable,
      syncTable: props.syncTable,
      importsBucket: props.importsBucket,
      vendors: props.vendors,
      logRetention: props.logRetention,
      jobTopic: this.scheduled.jobsTopic,
      archiveBucket,
    });
    // Large pulls and large dropped files continue as batch runs of the same job.
    this.scheduled.handOffLargeSyncsTo(this.batchSync.stateMachine);

    this.monitoring = new VendorSyncMonitoring(this, "Monitoring", {
      vendors: props.vendors,
      functions: [
        this.applyChanges.function,
        this.freshnessMonitor.function.function,
        this.realtime.ingest.function,
        this.realtime.processor.function,
        this.notifications.publisher.function,
        ...[
          this.batchSync.starter,
          this.batchSync.prepare,
          this.batchSync.plan,
          this.batchSync.validate,
          this.batchSync.apply,
          this.batchSync.commit,
          this.batchSync.fail,
          this.batchSync.executionEnded,
          this.scheduled.worker,
          this.scheduled.onDemand,
          this.scheduled.adminJobs,
          this.scheduled.watchdog,
          this.adminOperations.function,
        ].map((f) => f.function),
      ],
      queues: [
        { name: "real-time", queue: this.realtime.queue.queue, deadLetterQueue: this.realtime.queue.deadLetterQueue },
        { name: "sync", queue: this.scheduled.queue.queue, deadLetterQueue: this.scheduled.queue.deadLetterQueue },
      ],
      deadLetterQueues: [
        {
          name: "Schedules",
          deadLetterQueue: this.scheduled.schedules.deadLetterQueue,
          sender: "EventBridge Scheduler",
        },
        {
          name: "BatchStarter",
          deadLetterQueue: this.batchSync.starterDeadLetterQueue,
          sender: "The upload rule, the batch starter or the execution-ended rule",
        },
      ],
      stateMachines: [this.batchSync.stateMachine],
      api: this.realtime.api.api,
      alarmEmails: props.alarmEmails ?? [],
    });
  }
}
