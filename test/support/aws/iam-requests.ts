/**
 * What IAM authorizes for an SDK call: the action(s), the resource ARN(s) and the request's context
 * keys, per the Service Authorization Reference of each service. One SDK command can need several
 * (BatchGetItem: one per table; StartMessageMoveTask: reads on the source queue, a send to the
 * destination).
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import type { RecordedCall } from "./capture.ts";

/** One authorization IAM makes. */
export interface IamRequest {
  /** Role ARN, or a service principal (`events.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context: Record<string, string | string[]>;
  /** Where the request comes from, for messages: `fn:<logicalId> GetItemCommand`, `template: …`. */
  readonly origin: string;
}

const operation = (command: string) => command.replace(/Command$/, "");

/** An SQS queue URL's ARN (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
export function queueArnOf(url: string): string {
  const { hostname, pathname } = new URL(url);
  const [, account, name] = pathname.split("/");
  return `arn:aws:sqs:${hostname.split(".")[1]}:${account}:${name}`;
}

/**
 * The authorizations one recorded SDK call needs, made by `principal`.
 * @throws {Error} for a command this table does not know yet (add it with its documented actions).
 */
/** What the mapping needs to know of the deployed app. */
export interface ResourceDirectory {
  readonly account: string;
  /** A Secrets Manager `SecretId` (name or ARN) → the secret's ARN. */
  secretArn(secretId: string): string;
  /** The KMS key ARN a topic is encrypted with, if any. */
  topicKeyArn(topicArn: string): string | undefined;
}

export function iamRequestsFor(call: RecordedCall, principal: string, directory: ResourceDirectory): IamRequest[] {
  const { account } = directory;
  const input = call.input as Record<string, unknown>;
  const origin = `fn:${call.function} ${call.command}`;
  const request = (action: string, resource: string, context: IamRequest["context"] = {}): IamRequest => ({
    principal,
    action,
    resource,
    context,
    origin,
  });
  const region = call.region;
  switch (call.service) {
    case "DynamoDB": {
      const table = (name: string) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      const action = `dynamodb:${operation(call.command)}`;
      if (call.command === "BatchGetItemCommand" || call.command === "BatchWriteItemCommand") {
        return Object.keys(input.RequestItems as object).map((name) => request(action, table(name)));
      }
      const target = table(String(input.TableName));
      return [request(action, input.IndexName ? `${target}/index/${String(input.IndexName)}` : target)];
    }
    case "S3": {
      const bucket = `arn:aws:s3:::${String(input.Bucket)}`;
      const object = `${bucket}/${String(input.Key)}`;
      const versioned = input.VersionId !== undefined;
      switch (call.command) {
        case "GetObjectCommand":
        case "HeadObjectCommand":
          return [request(versioned ? "s3:GetObjectVersion" : "s3:GetObject", object)];
        case "PutObjectCommand":
        case "CreateMultipartUploadCommand":
        case "UploadPartCommand":
        case "CompleteMultipartUploadCommand":
          return [request("s3:PutObject", object)];
        case "AbortMultipartUploadCommand":
          return [request("s3:AbortMultipartUpload", object)];
        case "GetObjectTaggingCommand":
          return [request(versioned ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging", object)];
        case "PutObjectTaggingCommand":
          return [request("s3:PutObjectTagging", object)];
        case "ListObjectsV2Command":
          return [request("s3:ListBucket", bucket, { "s3:prefix": String(input.Prefix ?? "") })];
      }
      break;
    }
    case "SQS": {
      if (call.command === "StartMessageMoveTaskCommand") {
        // The move task acts as its caller: it receives and deletes on the source, sends to the destination.
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
        const source = String(input.SourceArn);
        return [
          ...["sqs:StartMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"].map(
            (action) => request(action, source),
          ),
          request("sqs:SendMessage", String(input.DestinationArn)),
        ];
      }
      return [request(`sqs:${operation(call.command)}`, queueArnOf(String(input.QueueUrl)))];
    }
    case "SNS":
      if (call.command === "PublishCommand" || call.command === "PublishBatchCommand") {
        const topic = String(input.TopicArn);
        const key = directory.topicKeyArn(topic);
        // An encrypted topic: SNS uses the key on the publisher's behalf (its credentials, via SNS).
        // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
        const managed = key?.match(/:key\/aws-managed-([a-z-]+)$/);
        const viaSns = {
          "kms:ViaService": `sns.${region}.amazonaws.com`,
          "kms:CallerAccount": account,
          ...(managed ? { "kms:ResourceAliases": [`alias/aws/${managed[1]}`] } : {}),
        };
        return [
          request("sns:Publish", topic),
          ...(key ? [request("kms:GenerateDataKey", key, viaSns), request("kms:Decrypt", key, viaSns)] : []),
        ];
      }
      break;
    case "SFN":
      if (call.command === "StartExecutionCommand")
        return [request("states:StartExecution", String(input.stateMachineArn))];
      if (call.command === "StopExecutionCommand") return [request("states:StopExecution", String(input.executionArn))];
      break;
    case "Secrets Manager":
      if (call.command === "GetSecretValueCommand") {
        return [request("secretsmanager:GetSecretValue", directory.secretArn(String(input.SecretId)))];
      }
      break;
  }
  throw new Error(`no IAM mapping for ${call.service} ${call.command} (add its actions and resources)`);
}
