import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import { RecordsTable } from "../constructs/records-table.ts";
import { SyncTable } from "../constructs/sync-table.ts";

export interface StatefulStackProps extends StackProps {
  /**
   * Keep data (tables) when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * Everything that holds data and must outlive deployments of the compute: the records table and the
 * sync table. Deployed separately from the stateless stack so compute can be replaced freely.
 */
export class StatefulStack extends Stack {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const retain = props.retainData ?? true;
    this.recordsTable = new RecordsTable(this, "Records", { retain }).table;
    this.syncTable = new SyncTable(this, "Sync", { retain }).table;
  }
}
