import type { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { CLAIM_LEASE_MS } from "../../lambdas/core/realtime/ingest-lease.ts";
import { synthesizedStacks } from "../support/cli-synth.ts";

let stateless: Template;
let stateful: Template;

beforeAll(async () => {
  ({ stateful, stateless } = await synthesizedStacks());
}, 0);

// CloudFormation properties are free-form JSON; the assertions below read them as such.
// biome-ignore lint/suspicious/noExplicitAny: template JSON
type Resource = { Properties: Record<string, any>; DeletionPolicy?: string };
const resources = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Resource][];

function processor(): [string, Resource] {
  const found = resources(stateless, "AWS::Lambda::Function").find(([, r]) =>
    String(r.Properties.Description).startsWith("Applies queued vendor events"),
  );
  if (!found) throw new Error("processor function not found");
  return found;
}

describe("real-time queue", () => {
  const realtimeQueues = () => resources(stateless, "AWS::SQS::Queue").filter(([id]) => id.startsWith("RealtimeQueue"));

  it("has a dead-letter queue with maxReceiveCount ≥ 5 that keeps messages longer than the queue", () => {
    const queue = realtimeQueues().find(([, r]) => r.Properties.RedrivePolicy)?.[1];
    const dlqId = queue?.Properties.RedrivePolicy.deadLetterTargetArn["Fn::GetAtt"][0];
    const dlq = realtimeQueues().find(([id]) => id === dlqId)?.[1];
    expect(queue?.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(dlq?.Properties.MessageRetentionPeriod).toBeGreaterThan(queue?.Properties.MessageRetentionPeriod);
  });

  it("sets the visibility timeout to at least 6 × the processor timeout + the batching window", () => {
    const queue = realtimeQueues().find(([, r]) => r.Properties.RedrivePolicy)?.[1];
    const timeout = processor()[1].Properties.Timeout as number;
    const mapping = resources(stateless, "AWS::Lambda::EventSourceMapping").find(
      ([, r]) => r.Properties.FunctionName?.Ref === processor()[0],
    )?.[1];
    const window = (mapping?.Properties.MaximumBatchingWindowInSeconds as number) ?? 0;
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout + window);
  });

  it("gives the ingest function a timeout shorter than its de-duplication lease (a live attempt is never taken over)", () => {
    const ingest = resources(stateless, "AWS::Lambda::Function").find(([, r]) =>
      String(r.Properties.Description).startsWith("Verifies, de-duplicates"),
    )?.[1];
    const timeoutSeconds = ingest?.Properties.Timeout as number;
    expect(timeoutSeconds).toBeGreaterThan(0);
    expect(timeoutSeconds * 1000).toBeLessThan(CLAIM_LEASE_MS);
  });

  it("encrypts both queues and refuses requests without TLS", () => {
    for (const [, queue] of realtimeQueues()) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = resources(stateless, "AWS::SQS::QueuePolicy").filter(([id]) => id.startsWith("RealtimeQueue"));
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    }
  });
});

describe("processor event source", () => {
  it("reports partial batch failures and caps concurrency", () => {
    const mapping = resources(stateless, "AWS::Lambda::EventSourceMapping").find(
      ([, r]) => r.Properties.FunctionName?.Ref === processor()[0],
    )?.[1];
    expect(mapping?.Properties).toMatchObject({
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });
});

describe("webhook API", () => {
  it("routes POST /webhooks/{vendorId} to the ingest function on an HTTP API", () => {
    stateless.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    stateless.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "POST /webhooks/{vendorId}" });
  });

  it("throttles the stage and writes access logs", () => {
    const [, stage] = resources(stateless, "AWS::ApiGatewayV2::Stage")[0] ?? [];
    expect(stage?.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 200,
      ThrottlingBurstLimit: 400,
    });
    expect(stage?.Properties.AccessLogSettings.DestinationArn).toBeDefined();
    expect(JSON.parse(stage?.Properties.AccessLogSettings.Format)).toMatchObject({
      requestId: "$context.requestId",
      status: "$context.status",
    });
  });

  it("names the webhook URL in the stack output WebhookUrl (vendor-sync webhook send --target aws reads it)", () => {
    const outputs = stateless.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.WebhookUrl?.Value)).toMatch(/webhooks\/\{vendorId\}/);
  });
});

describe("change notifications", () => {
  it("publishes from the records table's stream to an encrypted topic, inserts and modifications only", () => {
    const [, topic] = resources(stateless, "AWS::SNS::Topic")[0] ?? [];
    expect(JSON.stringify(topic?.Properties.KmsMasterKeyId)).toMatch(/alias\/aws\/sns/);
    const stream = resources(stateless, "AWS::Lambda::EventSourceMapping").find(
      ([, r]) => r.Properties.StartingPosition === "LATEST",
    )?.[1];
    expect(stream?.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ["INSERT", "MODIFY"] }) }] },
    });
  });
});

describe("archive bucket and secrets (stateful)", () => {
  it("encrypts the archive, enforces TLS, keeps versions and expires each prefix", () => {
    const bucket = resources(stateful, "AWS::S3::Bucket").find(([, r]) => r.Properties.VersioningConfiguration)?.[1];
    expect(bucket?.DeletionPolicy).toBe("Retain");
    expect(
      bucket?.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe("AES256");
    expect(bucket?.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Prefix: "webhooks/", ExpirationInDays: 90 }),
        expect.objectContaining({ Prefix: "rejects/", ExpirationInDays: 30 }),
      ]),
    );
  });

  it("creates one signing secret per webhook vendor, named by its config", () => {
    const names = resources(stateful, "AWS::SecretsManager::Secret")
      .map(([, r]) => r.Properties.Name)
      .sort();
    expect(names).toEqual(["vendor-sync/canonical/webhook", "vendor-sync/shopify-demo/webhook"]);
  });

  it("lets the ingest function read only those secrets and write only under webhooks/", () => {
    const ingestRole = resources(stateless, "AWS::IAM::Policy").find(([id]) =>
      id.startsWith("RealtimeIngestRole"),
    )?.[1];
    const statements = ingestRole?.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const s3 = statements.filter((s) => String(s.Action).startsWith("s3:"));
    expect(s3).toHaveLength(1);
    expect([s3[0]?.Action].flat().sort()).toEqual(["s3:AbortMultipartUpload", "s3:PutObject"]);
    expect(JSON.stringify(s3[0]?.Resource)).toMatch(/\/webhooks\/\*/);
  });
});

describe("admin operations (conflicts, DLQ workbench, pause)", () => {
  it("may peek at and redrive only the dead-letter queues, and send only to the queues", () => {
    const fn = resources(stateless, "AWS::Lambda::Function").find(([, r]) =>
      String(r.Properties.Description).startsWith("Admin operations"),
    );
    const roleId = fn?.[1].Properties.Role["Fn::GetAtt"][0];
    const policy = resources(stateless, "AWS::IAM::Policy").find(([, p]) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
    )?.[1];
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    // cdk.json's minimizePolicies merges statements with the same actions: count the resources.
    const moveTargets = statements
      .filter((s) => [s.Action].flat().includes("sqs:StartMessageMoveTask"))
      .flatMap((s) => [s.Resource].flat());
    expect(moveTargets).toHaveLength(2);
    for (const target of moveTargets) expect(JSON.stringify(target)).toMatch(/DeadLetterQueue/);
    expect(JSON.stringify(statements)).not.toMatch(/"sqs:\*"/);
    expect(fn?.[1].Properties.Environment.Variables.QUEUES).toBeDefined();
  });
});
