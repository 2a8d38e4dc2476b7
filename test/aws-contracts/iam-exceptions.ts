/**
 * The IAM test's two short lists, each entry with its reason: bundled commands a function never
 * sends and its role could not make, and identity statements whose removal denies no call the tests
 * know of but that stay.
 */
import type { CommandId } from "../support/aws/bundles.ts";
import type { Json } from "../support/aws/cloudformation.ts";

const UNTAGGED =
  "lib-storage's Upload tags an object only when given tags; S3ObjectStore gives none (objects are found by key prefix).";
const READS_NOT_LISTS =
  "S3ObjectStore.list() is bundled with the store; this function reads and writes known keys only.";
const SENDER_ONLY =
  "sqs-queue.ts bundles SqsMessageControl beside SqsQueueSender; this function only sends (the consumers' own queue calls are the processor's and the worker's).";

/** By function (`lambdas/<name>`): command → why the function never sends it. */
export const NOT_SENT: Readonly<Record<string, Partial<Record<CommandId, string>>>> = {
  "ingest-webhook": {
    "S3 GetObjectCommand": "Ingest writes the archive (raw deliveries, large mappings) and never reads it back.",
    "S3 ListObjectsV2Command": READS_NOT_LISTS,
    "S3 PutObjectTaggingCommand": UNTAGGED,
    "SQS ChangeMessageVisibilityCommand": SENDER_ONLY,
    "SQS DeleteMessageCommand": SENDER_ONLY,
  },
  "process-changes": {
    "S3 ListObjectsV2Command": READS_NOT_LISTS,
    "S3 PutObjectTaggingCommand": UNTAGGED,
    "Secrets Manager GetSecretValueCommand":
      "Only thin notifications (BigCommerce, commercetools payloads) are fetched with the vendor's pull credentials; no bundled vendor sends them, so the processor is granted none (realtime-sync.ts).",
  },
  "freshness-monitor": {
    "DynamoDB UpdateItemCommand":
      "The monitor only reads vendor state (DynamoVendorStateStore.getVendorState); its role is read-only.",
  },
  "pull-vendor": {
    "S3 GetObjectCommand":
      "The worker writes staged parts and rejects to the archive (prepare reads the parts); its reads are the file-drop source's, on a vendor's own drop bucket, and no bundled vendor has channels.fileDrop.",
    "S3 ListObjectsV2Command":
      "Listing is the file-drop source's, on a vendor's own drop bucket; no bundled vendor has channels.fileDrop (its grant is made per vendor that does).",
    "S3 PutObjectTaggingCommand": UNTAGGED,
  },
  "sync-jobs": {
    "SQS ChangeMessageVisibilityCommand": SENDER_ONLY,
    "SQS DeleteMessageCommand": SENDER_ONLY,
  },
  "admin-api": {
    "SQS ChangeMessageVisibilityCommand": SENDER_ONLY,
    "SQS DeleteMessageCommand": SENDER_ONLY,
  },
  "admin-operations": {
    "S3 PutObjectCommand": "The archive is read-only to operations (replay lists and reads webhooks/).",
    "S3 CreateMultipartUploadCommand": "The archive is read-only to operations (replay lists and reads webhooks/).",
    "S3 UploadPartCommand": "The archive is read-only to operations (replay lists and reads webhooks/).",
    "S3 CompleteMultipartUploadCommand": "The archive is read-only to operations (replay lists and reads webhooks/).",
    "S3 AbortMultipartUploadCommand": "The archive is read-only to operations (replay lists and reads webhooks/).",
    "S3 PutObjectTaggingCommand": UNTAGGED,
    "SQS ChangeMessageVisibilityCommand":
      "The dead-letter workbench peeks with ReceiveMessage's own short visibility timeout and moves messages with a message-move task.",
  },
  "batch-prepare": {
    "S3 GetObjectTaggingCommand":
      "uploads.ts's readObjectTags is the starter's; prepare gets the tags' meaning in its input.",
    "S3 ListObjectsV2Command": READS_NOT_LISTS,
    "S3 PutObjectTaggingCommand": UNTAGGED,
  },
  "batch-plan": {
    "DynamoDB PutItemCommand":
      "Plan is read-only (BatchGetItem, the vendor index's Query); DynamoRecordStore's write is apply's. Its role reads only.",
    "S3 ListObjectsV2Command": READS_NOT_LISTS,
    "S3 PutObjectTaggingCommand": UNTAGGED,
  },
  "batch-validate": { "S3 PutObjectTaggingCommand": UNTAGGED },
  "batch-apply": {
    "S3 ListObjectsV2Command": READS_NOT_LISTS,
    "S3 PutObjectTaggingCommand": UNTAGGED,
  },
  "batch-commit": { "S3 PutObjectTaggingCommand": UNTAGGED },
  "batch-execution-ended": { "S3 PutObjectTaggingCommand": UNTAGGED },
  "batch-start": {
    "S3 GetObjectCommand": "uploads.ts's s3SourceOpener is prepare's; the starter reads only the upload's tags.",
  },
};

const actions = (statement: Json): string[] => [statement.Action].flat();

/** Statements kept though removing one denies no known call: how to recognise it, and why it stays. */
export const KEPT_STATEMENTS: readonly { readonly matches: (statement: Json) => boolean; readonly reason: string }[] = [
  {
    matches: (s) =>
      actions(s).includes("kms:GenerateDataKey*") && JSON.stringify(s.Condition ?? {}).includes("alias/aws/sns"),
    reason:
      "Publishing to a topic encrypted with the AWS managed aws/sns key: that key's own policy already lets the account's principals use it through SNS (as modelled from AWS's description of AWS managed keys), so no call is denied without this grant; it is the grant SNS's key-management guide prescribes for publishers, scoped to the alias, and stays in case the managed key's policy is narrower than documented.",
  },
  {
    matches: (s) => actions(s).every((action) => action === "dynamodb:ListStreams"),
    reason:
      'Generated by CDK\'s DynamoEventSource (TableV2.grantStreamRead) on the stream ARN; ListStreams accepts only Resource "*", so this statement grants nothing (aws/aws-cdk#34575). The event source mapping reads the stream it names with the stream-scoped statement beside it.',
  },
];
