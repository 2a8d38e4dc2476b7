import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { SYNC_TABLE } from "../../lambdas/adapters/dynamodb/table-design.ts";

export interface SyncTableProps {
  /**
   * Keep the table when the stack is deleted.
   * @default true
   */
  readonly retain?: boolean;
}

/**
 * The sync table: jobs, manual-review conflicts, vendor state (freshness, pause) and webhook
 * de-duplication in one table, with a `byVendor` index for listing per vendor and time, and TTL on
 * `expiresAt` (epoch seconds) so finished jobs, resolved conflicts and de-duplication entries expire.
 *
 * Default settings: on-demand billing, encryption at rest with an AWS managed key, point-in-time
 * recovery, deletion protection, retained on stack deletion.
 */
export class SyncTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: SyncTableProps = {}) {
    super(scope, id);
    const retain = props.retain ?? true;
    this.table = new TableV2(this, "Table", {
      partitionKey: { name: SYNC_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: SYNC_TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      timeToLiveAttribute: SYNC_TABLE.ttlAttribute,
      globalSecondaryIndexes: [
        {
          indexName: SYNC_TABLE.byVendorIndex,
          partitionKey: { name: SYNC_TABLE.byVendorPartitionKey, type: AttributeType.STRING },
          sortKey: { name: SYNC_TABLE.byVendorSortKey, type: AttributeType.STRING },
          projectionType: ProjectionType.ALL,
        },
      ],
    });
  }
}
