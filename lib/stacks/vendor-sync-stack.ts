import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { FreshnessMonitor } from "../constructs/freshness-monitor.ts";
import { VendorSyncMonitoring } from "../constructs/monitoring.ts";
import { VendorSyncFunction } from "../constructs/vendor-sync-function.ts";

export interface VendorSyncStackProps extends StackProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
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
  /** Publishes per-vendor freshness and pause state every 5 minutes. */
  readonly freshnessMonitor: FreshnessMonitor;
  /** Alarm topic, alarms and dashboard; new queues, functions, workflows and APIs join with `monitor*()`. */
  readonly monitoring: VendorSyncMonitoring;

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

    this.freshnessMonitor = new FreshnessMonitor(this, "FreshnessMonitor", {
      syncTable: props.syncTable,
      vendors: props.vendors,
      logRetention: props.logRetention,
    });
    this.monitoring = new VendorSyncMonitoring(this, "Monitoring", {
      vendors: props.vendors,
      functions: [this.applyChanges.function, this.freshnessMonitor.function.function],
      alarmEmails: props.alarmEmails ?? [],
    });
  }
}
