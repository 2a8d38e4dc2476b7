import { Duration } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { VendorSyncFunction } from "./vendor-sync-function.ts";

/**
 * How often the freshness monitor publishes. The staleness alarms' period is built from it: a vendor
 * whose freshness is missing for three intervals is treated as stale.
 */
export const FRESHNESS_INTERVAL = Duration.minutes(5);

export interface FreshnessMonitorProps {
  /** The sync table holding vendor state (freshness times, pause flag); read only. */
  readonly syncTable: ITableV2;
  /** Validated vendor configurations; the enabled ones are reported. */
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
}

/**
 * The freshness monitor: a function run every {@link FRESHNESS_INTERVAL} by an EventBridge rule that
 * publishes each enabled vendor's `FreshnessAgeSeconds`, `TimeSinceLastSyncSeconds` and `VendorPaused`
 * (see `lambdas/freshness-monitor/`). `VendorSyncMonitoring`'s staleness alarms read these metrics.
 *
 * Default settings: 256 MB, 60 s timeout, read-only access to the sync table (GetItem), no retries of
 * a failed run (the next run is five minutes away, and a retry would only repeat datapoints).
 */
export class FreshnessMonitor extends Construct {
  readonly function: VendorSyncFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: FreshnessMonitorProps) {
    super(scope, id);
    this.function = new VendorSyncFunction(this, "Function", {
      entry: "lambdas/freshness-monitor/handler.ts",
      description: "Publishes per-vendor data freshness and pause state every 5 minutes",
      vendors: props.vendors,
      logRetention: props.logRetention,
      memorySize: 256,
      timeout: Duration.seconds(60),
    }).bindTable(props.syncTable, "SYNC_TABLE_NAME", { access: "read" });
    this.function.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(4) });
    this.rule = new Rule(this, "Schedule", {
      description: "Runs the vendor-sync freshness monitor",
      schedule: Schedule.rate(FRESHNESS_INTERVAL),
      targets: [new LambdaFunction(this.function.function, { retryAttempts: 2, maxEventAge: Duration.minutes(4) })],
    });
  }
}
