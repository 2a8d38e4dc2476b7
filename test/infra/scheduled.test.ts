import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { buildTestApp } from "../support/app.ts";
import { testVendor } from "../support/scheduled.ts";

// CloudFormation properties are free-form JSON; the assertions below read them as such.
// biome-ignore lint/suspicious/noExplicitAny: template JSON
type Resource = { Properties: Record<string, any> };
let template: Template;
const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const byDescription = (prefix: string) => {
  const found = resources("AWS::Lambda::Function").find(([, r]) => String(r.Properties.Description).startsWith(prefix));
  if (!found) throw new Error(`no function described ${prefix}`);
  return found;
};
const schedules = () => resources("AWS::Scheduler::Schedule");
const vendorSchedule = (vendorId: string) =>
  schedules().find(([, r]) => String(r.Properties.Target.Input ?? "").includes(`"vendorId":"${vendorId}"`))?.[1];

beforeAll(() => {
  const bundled = [...loadVendorConfigs().values()];
  const built = buildTestApp({
    vendors: [
      ...bundled,
      testVendor({
        id: "berlin-nightly",
        channels: { pull: { ...shopLike, baseUrl: "https://berlin.example.com" } },
        schedule: { expression: "cron(30 2 ? * MON-FRI *)", timeZone: "Europe/Berlin" },
      }),
      testVendor({
        id: "switched-off",
        enabled: false,
        channels: { pull: { ...shopLike, baseUrl: "https://off.example.com" } },
        schedule: { expression: "rate(15 minutes)" },
      }),
    ],
  });
  template = Template.fromStack(built.stateless);
});

const shopLike = {
  baseUrl: "https://shop.example.com",
  path: "/products.json",
  auth: { type: "none" as const },
  paging: { style: "link-header" as const },
  recordsPath: "products",
  format: "shopify-rest" as const,
};

describe("vendor schedules (EventBridge Scheduler)", () => {
  it("creates one schedule per enabled vendor with a schedule, in one group, with its expression and time zone", () => {
    const group = resources("AWS::Scheduler::ScheduleGroup");
    expect(group).toHaveLength(1);
    const vendorSchedules = schedules().filter(([, r]) =>
      String(r.Properties.Target.Input ?? "").includes("startSync"),
    );
    expect(vendorSchedules).toHaveLength(2);
    expect(vendorSchedule("switched-off")).toBeUndefined();
    expect(vendorSchedule("shopify-demo")?.Properties).toMatchObject({
      ScheduleExpression: "rate(1 hour)",
      ScheduleExpressionTimezone: "America/New_York",
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 10 },
      State: "ENABLED",
    });
    expect(vendorSchedule("berlin-nightly")?.Properties).toMatchObject({
      ScheduleExpression: "cron(30 2 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
      FlexibleTimeWindow: { Mode: "OFF" },
    });
    for (const [, schedule] of vendorSchedules) {
      expect(schedule.Properties.GroupName).toBe(group[0]?.[1].Properties.Name);
    }
  });

  it("invokes the on-demand function with a startSync from the schedule, under a retry policy with a DLQ", () => {
    const [onDemandId] = byDescription("On-demand sync jobs");
    const target = vendorSchedule("shopify-demo")?.Properties.Target;
    expect(target.Arn).toEqual({ "Fn::GetAtt": [onDemandId, "Arn"] });
    expect(JSON.parse(target.Input)).toEqual({
      operation: "startSync",
      vendorId: "shopify-demo",
      mode: "incremental",
      trigger: "schedule",
    });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    const dlqId = target.DeadLetterConfig.Arn["Fn::GetAtt"][0];
    const dlq = resources("AWS::SQS::Queue").find(([id]) => id === dlqId)?.[1];
    expect(dlq?.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
  });

  it("lets the schedules' role invoke only the on-demand function and send only to the schedule DLQ", () => {
    const [onDemandId] = byDescription("On-demand sync jobs");
    const roleId = vendorSchedule("shopify-demo")?.Properties.Target.RoleArn["Fn::GetAtt"][0];
    const role = resources("AWS::IAM::Role").find(([id]) => id === roleId)?.[1];
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "scheduler.amazonaws.com" },
        Condition: {
          StringEquals: {
            "aws:SourceAccount": { Ref: "AWS::AccountId" },
            "aws:SourceArn": { "Fn::GetAtt": [resources("AWS::Scheduler::ScheduleGroup")[0]?.[0], "Arn"] },
          },
        },
      }),
    ]);
    const policy = resources("AWS::IAM::Policy").find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId),
    )?.[1];
    const statements = policy?.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[];
    expect(statements.map((s) => s.Action).sort()).toEqual(["lambda:InvokeFunction", "sqs:SendMessage"]);
    expect(statements.find((s) => s.Action === "lambda:InvokeFunction")?.Resource).toEqual([
      { "Fn::GetAtt": [onDemandId, "Arn"] },
      { "Fn::Join": ["", [{ "Fn::GetAtt": [onDemandId, "Arn"] }, ":*"]] },
    ]);
  });

  it("runs the watchdog every 5 minutes through its own role", () => {
    const [watchdogId] = byDescription("Fails sync jobs whose heartbeat stopped");
    const watchdog = schedules().find(([, r]) => r.Properties.Target.Arn["Fn::GetAtt"]?.[0] === watchdogId)?.[1];
    expect(watchdog?.Properties).toMatchObject({ ScheduleExpression: "rate(5 minutes)" });
    expect(watchdog?.Properties.Target.RoleArn).not.toEqual(vendorSchedule("shopify-demo")?.Properties.Target.RoleArn);
  });
});

describe("pull worker and the standard-priority queue", () => {
  it("consumes the sync queue one message at a time, reporting failures, with capped concurrency", () => {
    const [workerId, worker] = byDescription("Pulls vendor APIs");
    const mapping = resources("AWS::Lambda::EventSourceMapping").find(
      ([, r]) => r.Properties.FunctionName?.Ref === workerId,
    )?.[1];
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const queueId = mapping?.Properties.EventSourceArn["Fn::GetAtt"][0];
    const queue = resources("AWS::SQS::Queue").find(([id]) => id === queueId)?.[1];
    expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * worker.Properties.Timeout);
    const dlqId = queue?.Properties.RedrivePolicy.deadLetterTargetArn["Fn::GetAtt"][0];
    const dlq = resources("AWS::SQS::Queue").find(([id]) => id === dlqId)?.[1];
    expect(queue?.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    expect(dlq?.Properties.MessageRetentionPeriod).toBeGreaterThan(queue?.Properties.MessageRetentionPeriod);
  });

  it("reads only the pull credentials its vendors name, and writes only pulls/ and rejects/ of the archive", () => {
    const [, worker] = byDescription("Pulls vendor APIs");
    const roleId = worker.Properties.Role["Fn::GetAtt"][0];
    const policy = resources("AWS::IAM::Policy").find(([, p]) =>
      p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId),
    )?.[1];
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Action: string | string[];
      Resource: unknown;
    }[];
    const secrets = statements.filter((s) => String(s.Action).includes("secretsmanager:GetSecretValue"));
    expect(JSON.stringify(secrets)).toMatch(/secret:vendor-sync\/shopify-demo\/admin-token-\?\?\?\?\?\?/);
    expect(JSON.stringify(secrets)).not.toMatch(/secret:\*/);
    const puts = statements.find((s) => [s.Action].flat().includes("s3:PutObject"));
    expect(JSON.stringify(puts?.Resource)).toMatch(/\/pulls\/\*.*\/rejects\/\*/);
    // It writes staged parts; the batch workflow's prepare reads them.
    expect(statements.filter((s) => [s.Action].flat().includes("s3:GetObject"))).toEqual([]);
  });
});

describe("admin API", () => {
  it("requires IAM authorisation on every admin route", () => {
    const adminRoutes = resources("AWS::ApiGatewayV2::Route").filter(([, r]) =>
      String(r.Properties.RouteKey).includes(" /admin/"),
    );
    expect(adminRoutes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual([
      "GET /admin/conflicts",
      "GET /admin/conflicts/{conflictId}",
      "GET /admin/dlq",
      "GET /admin/dlq/{queue}",
      "GET /admin/jobs",
      "GET /admin/jobs/{jobId}",
      "GET /admin/vendors/{vendorId}/jobs",
      "POST /admin/conflicts/{conflictId}/resolve",
      "POST /admin/dlq/{queue}/redrive",
      "POST /admin/jobs/{jobId}/cancel",
      "POST /admin/vendors/{vendorId}/pause",
      "POST /admin/vendors/{vendorId}/replay",
      "POST /admin/vendors/{vendorId}/resume",
      "POST /admin/vendors/{vendorId}/syncs",
    ]);
    for (const [, route] of adminRoutes) expect(route.Properties.AuthorizationType).toBe("AWS_IAM");
  });

  it("names the on-demand function, the admin API and the jobs topic in stack outputs", () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(["OnDemandFunctionName", "AdminApiUrl", "JobsTopicArn", "AdminOperationsFunctionName"]),
    );
  });

  it("encrypts the jobs topic", () => {
    const topic = resources("AWS::SNS::Topic").find(([id]) => id.startsWith("ScheduledJobsTopic"))?.[1];
    expect(JSON.stringify(topic?.Properties.KmsMasterKeyId)).toMatch(/alias\/aws\/sns/);
  });
});
