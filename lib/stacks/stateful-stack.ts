import { Aws, Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { ArchiveBucket } from "../constructs/archive-bucket.ts";
import { ImportsBucket } from "../constructs/imports-bucket.ts";
import { RecordsTable } from "../constructs/records-table.ts";
import { SyncTable } from "../constructs/sync-table.ts";
import { WebhookSecrets } from "../constructs/webhook-secrets.ts";

/**
 * The archive bucket's name: `vendor-sync-<stage>-archive-<account>-<region>`. Deterministic, so the
 * stateless stack addresses it by name instead of a cross-stack export (and IAM statements render
 * the same everywhere).
 */
export function archiveBucketName(stage: string): string {
  return `vendor-sync-${stage}-archive-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface StatefulStackProps extends StackProps {
  /** Stage name, part of physical names. */
  readonly stage: string;
  /**
   * Keep data (tables, buckets) when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
  /** Vendors: each webhook vendor gets its signing secret here. */
  readonly vendors: readonly VendorConfig[];
}

/**
 * Everything that holds data and must outlive deployments of the compute: the records and sync
 * tables, the archive and imports buckets, and the webhook signing secrets. Deployed separately from
 * the stateless stack so compute can be replaced freely.
 */
export class StatefulStack extends Stack {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** Raw webhook deliveries, large mappings and rejects. */
  readonly archiveBucket: IBucket;
  /** The archive bucket's name (pass it to the stateless stack). */
  readonly archiveBucketName: string;
  /** Webhook signing secrets by vendor id. */
  readonly webhookSecrets: ReadonlyMap<string, ISecret>;
  /** Vendor uploads (`imports/<vendorId>/`) and the batch workflow's files. */
  readonly importsBucket: IBucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const retain = props.retainData ?? true;
    this.recordsTable = new RecordsTable(this, "Records", { retain }).table;
    this.syncTable = new SyncTable(this, "Sync", { retain }).table;
    this.archiveBucketName = archiveBucketName(props.stage);
    this.archiveBucket = new ArchiveBucket(this, "Archive", { retain, bucketName: this.archiveBucketName }).bucket;
    this.webhookSecrets = new WebhookSecrets(this, "WebhookSecrets", { vendors: props.vendors }).secrets;
    this.importsBucket = new ImportsBucket(this, "Imports", { retain }).bucket;
  }
}
