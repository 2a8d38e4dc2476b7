import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";

export interface ArchiveBucketProps {
  /** Physical bucket name (deterministic, so the stateless stack can refer to it by name). */
  readonly bucketName: string;
  /** Days raw webhook deliveries are kept (for replay and audits). @default 90 */
  readonly webhookRetentionDays?: number;
  /** Days rejected changes are kept for inspection. @default 30 */
  readonly rejectRetentionDays?: number;
  /** Days a large pull's staged JSON Lines are kept (the batch workflow reads them within minutes). @default 14 */
  readonly pullRetentionDays?: number;
  /** Keep the bucket and its objects when the stack is deleted. @default true */
  readonly retain?: boolean;
}

/**
 * The archive bucket: raw webhook deliveries (`webhooks/<vendor>/<yyyy>/<mm>/<dd>/…`, kept for replay),
 * mappings too large for a queue message, rejected changes (`rejects/…`) and large pulls staged for
 * the batch workflow (`pulls/…`), each prefix expired by a lifecycle rule. With its own server access logs bucket.
 *
 * Default settings: SSE-S3 encryption, TLS enforced, public access blocked, bucket-owner-enforced
 * object ownership, versioning on (noncurrent versions expire after 7 days), retained.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogsBucket: IBucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    const retain = props.retain ?? true;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logs = new Bucket(this, "AccessLogs", {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });
    Validations.of(logs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This bucket receives the archive bucket's server access logs; logging it into itself would loop.",
    });
    this.accessLogsBucket = logs;
    this.bucket = new Bucket(this, "Bucket", {
      bucketName: props.bucketName,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: "archive/",
      removalPolicy,
      lifecycleRules: [
        { id: "webhooks", prefix: "webhooks/", expiration: Duration.days(props.webhookRetentionDays ?? 90) },
        { id: "rejects", prefix: "rejects/", expiration: Duration.days(props.rejectRetentionDays ?? 30) },
        { id: "pulls", prefix: "pulls/", expiration: Duration.days(props.pullRetentionDays ?? 14) },
        {
          id: "noncurrent",
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }
}
