import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import { ImportsBucket } from "../constructs/imports-bucket.ts";
import { RecordsTable } from "../constructs/records-table.ts";
import { SyncTable } from "../constructs/sync-table.ts";

export interface StatefulStackProps extends StackProps {
  /**
   * Keep data (tables, buckets) when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * Everything that holds data and must outlive deployments of the compute: the records table, the
 * sync table and the imports bucket. Deployed separately from the stateless stack so compute can be replaced freely.
 */
export class StatefulStack extends Stack {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** Vendor uploads (`imports/<vendorId>/`) and the batch workflow's files. */
  readonly importsBucket: IBucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const retain = props.retainData ?? true;
    this.recordsTable = new RecordsTable(this, "Records", { retain }).table;
    this.syncTable = new SyncTable(this, "Sync", { retain }).table;
    this.importsBucket = new ImportsBucket(this, "Imports", { retain }).bucket;
  }
}
