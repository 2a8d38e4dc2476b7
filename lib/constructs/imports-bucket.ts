import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { BATCH_PREFIXES } from "../../lambdas/core/batch/layout.ts";

export interface ImportsBucketProps {
  /**
   * Keep the buckets (and their objects) when the stack is deleted.
   * @default true
   */
  readonly retain?: boolean;
  /**
   * Days an uploaded vendor file is kept (`imports/`).
   * @default 365
   */
  readonly uploadRetentionDays?: number;
  /**
   * Days rejects files are kept (`rejects/`), for vendors and admins to act on.
   * @default 90
   */
  readonly rejectsRetentionDays?: number;
  /**
   * Days server access logs are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * The imports bucket: vendors and admins upload files under `imports/<vendorId>/`, and the batch
 * workflow keeps its working files beside them, one prefix per kind (see
 * `lambdas/core/batch/layout.ts`) so each kind expires on its own schedule.
 *
 * Default settings: SSE-S3 encryption, TLS enforced (`aws:SecureTransport`), versioning (an upload
 * is identified by its version id), all public access blocked, bucket-owner-enforced ownership,
 * EventBridge notifications on (uploads start the workflow), server access logs to a second bucket,
 * lifecycle rules:
 *
 * | prefix | current objects | noncurrent versions |
 * |---|---|---|
 * | `imports/` | 365 days | 30 days |
 * | `normalised/` | 7 days | 1 day |
 * | `changesets/` | 14 days | 1 day |
 * | `results/` | 30 days | 1 day |
 * | `reports/` | 30 days | 1 day |
 * | `rejects/` | 90 days | 1 day |
 *
 * and incomplete multipart uploads aborted after 1 day everywhere.
 */
export class ImportsBucket extends Construct {
  /** The imports bucket. */
  readonly bucket: Bucket;
  /** Receives the imports bucket's server access logs. */
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: ImportsBucketProps = {}) {
    super(scope, id);
    const retain = props.retain ?? true;
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.accessLogsBucket = new Bucket(this, "AccessLogs", {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays ?? 365) }],
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: "AwsSolutions-S1",
      reason:
        "This bucket is the destination of the imports bucket's server access logs; logging its own access would log every log delivery.",
    });

    const work = (prefix: string, days: number) => ({
      id: prefix.replace(/\/$/, ""),
      prefix,
      expiration: Duration.days(days),
      noncurrentVersionExpiration: Duration.days(1),
      expiredObjectDeleteMarker: false,
    });
    this.bucket = new Bucket(this, "Bucket", {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: "imports-bucket/",
      removalPolicy,
      lifecycleRules: [
        {
          id: "uploads",
          prefix: BATCH_PREFIXES.uploads,
          expiration: Duration.days(props.uploadRetentionDays ?? 365),
          noncurrentVersionExpiration: Duration.days(30),
        },
        work(BATCH_PREFIXES.normalised, 7),
        work(BATCH_PREFIXES.changeSets, 14),
        work(BATCH_PREFIXES.results, 30),
        work(BATCH_PREFIXES.reports, 30),
        work(BATCH_PREFIXES.rejects, props.rejectsRetentionDays ?? 90),
        { id: "incomplete-multipart-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    // Native CloudFormation instead of `eventBridgeEnabled`, which deploys a notifications custom
    // resource (a Lambda with an AWS managed policy) to do the same.
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };
  }
}
