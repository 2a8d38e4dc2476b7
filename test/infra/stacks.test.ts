import { Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { beforeAll, describe, expect, it } from "vitest";
import { localTableDefinitions } from "../../local/embedded-dynamodb.ts";
import { buildTestApp } from "../support/app.ts";
import { cliSynthesis, synthesizedStacks } from "../support/cli-synth.ts";

let stateful: Template;
let stateless: Template;

beforeAll(async () => {
  ({ stateful, stateless } = await synthesizedStacks());
}, 0);

const tables = () => Object.values(stateful.findResources("AWS::DynamoDB::GlobalTable"));
/** The records table: the one with a stream (change notifications). */
const records = () => {
  const found = tables().filter((t) => t.Properties.StreamSpecification !== undefined);
  if (found.length !== 1 || !found[0]) throw new Error(`expected one table with a stream, found ${found.length}`);
  return found[0];
};
describe("stateful stack", () => {
  it("keys the records table by vendor shard and record (pk/sk) with no index, so a create writes one item", () => {
    expect(records().Properties.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(records().Properties.AttributeDefinitions).toEqual([
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
    ]);
    expect(records().Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(records().Properties.LocalSecondaryIndexes).toBeUndefined();
    expect(records().Properties.StreamSpecification).toEqual({ StreamViewType: "NEW_AND_OLD_IMAGES" });
  });

  it("keys the sync table on pk/sk with a vendor index and TTL on expiresAt", () => {
    const sync = tables().find((t) => t !== records());
    expect(sync?.Properties.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(sync?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    expect(sync?.Properties.GlobalSecondaryIndexes[0]).toMatchObject({
      IndexName: "byVendor",
      Projection: { ProjectionType: "ALL" },
    });
  });

  it("encrypts, backs up, protects and retains both tables", () => {
    expect(tables()).toHaveLength(2);
    for (const table of tables()) {
      expect(table.DeletionPolicy).toBe("Retain");
      expect(table.UpdateReplacePolicy).toBe("Retain");
      expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: "KMS" });
      expect(table.Properties.Replicas[0]).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    }
  });

  it("matches the key design the sandbox creates (no drift between CDK and the embedded store)", () => {
    const deployedTables = {
      "vendor-sync-records": records(),
      "vendor-sync-sync": tables().find((t) => t !== records()),
    };
    for (const local of localTableDefinitions()) {
      const deployed = deployedTables[local.TableName as keyof typeof deployedTables];
      expect(deployed, local.TableName).toBeDefined();
      expect(deployed?.Properties.KeySchema).toEqual(local.KeySchema);
      expect(deployed?.Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining(local.AttributeDefinitions ?? []),
      );
      expect(deployed?.Properties.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    }
  });
});

describe("stateless stack", () => {
  it("runs functions on Node.js 24, ARM_64, with JSON logs and Powertools settings", () => {
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
      LoggingConfig: { LogFormat: "JSON" },
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: "vendor-sync",
          POWERTOOLS_METRICS_NAMESPACE: "VendorSync",
          RECORDS_TABLE_NAME: {},
          SYNC_TABLE_NAME: {},
        },
      },
    });
  });

  it("keeps logs in a log group with the stage's retention", () => {
    stateless.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
  });

  it("lets every function that can open a conflict publish it on the jobs topic", () => {
    const [jobsTopic] = Object.keys(stateless.findResources("AWS::SNS::Topic")).filter((id) => id.includes("Jobs"));
    const writers = Object.entries(stateless.findResources("AWS::Lambda::Function")).filter(([, f]) =>
      /write path|apply planned changes/i.test(f.Properties.Description),
    );
    expect(writers.map(([id]) => id.replace(/Function[0-9A-F]{8}$/, "")).sort()).toEqual([
      "ApplyChanges",
      "BatchSyncApply",
      "RealtimeProcessor",
      "ScheduledWorker",
    ]);
    const policies = Object.values(stateless.findResources("AWS::IAM::Policy"));
    for (const [, fn] of writers) {
      const env = fn.Properties.Environment.Variables;
      expect(env.OPS_TOPIC_ARN ?? env.JOBS_TOPIC_ARN).toEqual({ Ref: jobsTopic });
      const role = fn.Properties.Role["Fn::GetAtt"][0];
      const rolePolicy = policies.find((p) => JSON.stringify(p.Properties.Roles).includes(role));
      expect(JSON.stringify(rolePolicy?.Properties.PolicyDocument)).toContain(
        JSON.stringify({ Action: "sns:Publish", Effect: "Allow", Resource: { Ref: jobsTopic } }),
      );
    }
  });

  it("lets the admin-operations function replay webhooks: list and read the archive's webhooks/ only, send to the real-time queue", () => {
    const [id, fn] = Object.entries(stateless.findResources("AWS::Lambda::Function")).find(([key]) =>
      key.startsWith("AdminOperationsFunction"),
    ) ?? ["", undefined];
    expect(fn?.Properties.Environment.Variables).toHaveProperty("ARCHIVE_BUCKET_NAME");
    const role = fn?.Properties.Role["Fn::GetAtt"][0];
    const policy = Object.values(stateless.findResources("AWS::IAM::Policy")).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(role),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
      Condition?: unknown;
    }[];
    const list = statements.find((s) => s.Action === "s3:ListBucket");
    expect(list?.Condition).toEqual({ StringLike: { "s3:prefix": ["webhooks/*"] } });
    const read = statements.find((s) => Array.isArray(s.Action) && s.Action.includes("s3:GetObject"));
    expect(JSON.stringify(read?.Resource)).toContain("/webhooks/*");
    expect(statements.some((s) => JSON.stringify(s.Action).includes("s3:PutObject"))).toBe(false);
    expect(id).not.toBe("");
    expect(
      Object.keys(
        stateless.findResources("AWS::ApiGatewayV2::Route", {
          Properties: { RouteKey: "POST /admin/vendors/{vendorId}/replay", AuthorizationType: "AWS_IAM" },
        }),
      ),
    ).toHaveLength(1);
  });

  it("hands large pulls to the batch state machine: the worker may start it, prepare may read the staged parts", () => {
    const functions = Object.entries(stateless.findResources("AWS::Lambda::Function"));
    const policies = Object.values(stateless.findResources("AWS::IAM::Policy"));
    const policyOf = (prefix: string) => {
      const fn = functions.find(([id]) => id.startsWith(prefix))?.[1];
      const role = fn?.Properties.Role["Fn::GetAtt"][0];
      return {
        env: fn?.Properties.Environment.Variables,
        text: JSON.stringify(policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(role))),
      };
    };
    const [machine] = Object.keys(stateless.findResources("AWS::StepFunctions::StateMachine"));
    const worker = policyOf("ScheduledWorkerFunction");
    expect(worker.env.BATCH_STATE_MACHINE_ARN).toEqual({ Ref: machine });
    expect(worker.text).toContain(
      JSON.stringify({ Action: "states:StartExecution", Effect: "Allow", Resource: { Ref: machine } }),
    );
    const prepare = policyOf("BatchSyncPrepareFunction");
    // GetObject only, on the staged parts: the archive's webhooks and rejects stay out of reach.
    expect(prepare.text).toMatch(
      /"Action":"s3:GetObject","Effect":"Allow","Resource":\{"Fn::Join":\["",\[[^\]]*"\/pulls\/\*"\]\]\}/,
    );
  });

  it("alarms on every dead-letter queue, the AWS services' own included", () => {
    const names = Object.values(stateless.findResources("AWS::CloudWatch::Alarm")).map((a) =>
      String(a.Properties.AlarmName),
    );
    for (const dlq of ["real-time-DLQ", "sync-DLQ", "Schedules-DLQ", "BatchStarter-DLQ"]) {
      expect(
        names.some((n) => n.endsWith(`-${dlq}-Queue-Message-Count-Max-Critical`)),
        dlq,
      ).toBe(true);
      expect(
        names.some((n) => n.endsWith(`-${dlq}-Queue-Incoming-Messages-Count-Max-Critical`)),
        dlq,
      ).toBe(true);
    }
  });

  it("caps V8's young generation only in the functions that stream large files", () => {
    const options = Object.entries(stateless.findResources("AWS::Lambda::Function")).map(
      ([id, fn]) => [id.replace(/Function[0-9A-F]{8}$/, ""), fn.Properties.Environment.Variables.NODE_OPTIONS] as const,
    );
    const streaming = options.filter(([, value]) => String(value).includes("--max-semi-space-size=4"));
    expect(streaming.map(([id]) => id).sort()).toEqual(["BatchSyncPrepare", "ScheduledWorker"]);
    for (const [, value] of options) expect(value).toMatch(/^--enable-source-maps/);
  });

  it("grants table access without wildcard actions or resources", () => {
    const policies = Object.values(stateless.findResources("AWS::IAM::Policy"));
    expect(policies.length).toBeGreaterThan(0);
    const text = JSON.stringify(policies);
    expect(text).not.toMatch(/dynamodb:\*/);
    expect(text).not.toMatch(/\/index\/\*/);
  });
});

describe("cdk-nag (AWS Solutions checks)", () => {
  it("synthesizes clean", async () => {
    const run = await cliSynthesis(); // ended: beforeAll waited for it
    expect(run.output).not.toMatch(/AwsSolutions-[A-Z]+\d+/);
    expect(run.status, run.output.slice(-3000)).toBe(0);
  });

  it("fails synthesis on a violation, so the clean result above means something", () => {
    const { app } = buildTestApp({
      extend: (a) => {
        const canary = new Stack(a, "Canary");
        new Bucket(canary, "Unencrypted");
      },
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-S1\b/);
  });
});
