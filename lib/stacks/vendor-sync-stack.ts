import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { AdminApi } from "../constructs/admin-api.ts";
import { ChangeNotifications } from "../constructs/change-notifications.ts";
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
  /** Validated vendor configurations. */
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
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
  /** IAM-authorised admin routes (features add theirs with `adminApi.addRoutes`). */
  readonly adminApi: AdminApi;
  /** Schedules, on-demand jobs, the pull worker and the watchdog. */
  readonly scheduled: ScheduledSync;

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
    this.adminApi = new AdminApi(this, "AdminApi", { logRetention: props.logRetention });
    this.scheduled = new ScheduledSync(this, "Scheduled", {
      recordsTable: props.recordsTable,
      syncTable: props.syncTable,
      archiveBucket,
      vendors: props.vendors,
      logRetention: props.logRetention,
      adminApi: this.adminApi,
    });
  }
}
