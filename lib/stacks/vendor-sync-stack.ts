import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { BatchSyncWorkflow } from "../constructs/batch-sync-workflow.ts";
import { VendorSyncFunction } from "../constructs/vendor-sync-function.ts";

export interface VendorSyncStackProps extends StackProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** Vendor uploads and the batch workflow's files (the stateful stack's imports bucket). */
  readonly importsBucket: IBucket;
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
  /** Batch sync of uploaded files: Step Functions with Distributed Map plan and apply. */
  readonly batchSync: BatchSyncWorkflow;

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
    this.batchSync = new BatchSyncWorkflow(this, "BatchSync", props);
  }
}
