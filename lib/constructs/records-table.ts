import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Construct } from "constructs";
import { RECORDS_TABLE } from "../../lambdas/adapters/dynamodb/table-design.ts";

export interface RecordsTableProps {
  /**
   * Keep the table (and its data) when the stack is deleted.
   * @default true
   */
  readonly retain?: boolean;
}

/**
 * The records table: one item per `(vendorId, entityType, entityKey)`, keyed `pk` = `vendorId#shard`
 * (16 shards per vendor, so a vendor's writes spread) and `sk` = `entityType#entityKey`, so a vendor's
 * records are listed from the table itself and a create writes no index entry (the key design is
 * `RECORDS_TABLE` in `lambdas/adapters/dynamodb/table-design.ts`, shared with the sandbox). Its stream
 * (new and old images) feeds change notifications.
 *
 * Default settings: on-demand billing, encryption at rest with an AWS managed key, point-in-time
 * recovery, deletion protection, retained on stack deletion.
 *
 * @see ../../docs/data-model.md
 */
export class RecordsTable extends Construct {
  /** The table. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: RecordsTableProps = {}) {
    super(scope, id);
    const retain = props.retain ?? true;
    this.table = new TableV2(this, "Table", {
      partitionKey: { name: RECORDS_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: RECORDS_TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
    });
  }
}
