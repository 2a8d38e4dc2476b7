import { existsSync } from "node:fs";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { beforeAll, describe, expect, it } from "vitest";
import { RUNBOOKS, VendorSyncMonitoring } from "../../lib/constructs/monitoring.ts";
import { synthesizedStacks } from "../support/cli-synth.ts";
import { repoPath } from "../support/files.ts";
import { buildMonitoringFixture } from "../support/monitoring-fixture.ts";

type Resource = { Type: string; Properties: Record<string, unknown> };

/** What an alarm watches and how it decides, normalised from either CloudFormation alarm shape. */
interface AlarmShape {
  namespace: string;
  metric: string;
  dimensions: Record<string, unknown>;
  statistic: string;
  period: number;
  /** For metric-math alarms: the expression. */
  expression?: string;
  threshold: number;
  comparison: string;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  treatMissingData: string;
  /** "topic": ALARM and OK actions are the alarm topic; "none": no actions (feeds a composite). */
  actions: "topic" | "none";
  runbook: string;
}

const TOPIC = { Ref: "MonitoringAlarmTopicAF62D4F1" };

function shapeOf(resource: Resource): AlarmShape {
  const p = resource.Properties;
  type Stat = {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
    Stat: string;
    Period: number;
  };
  const metrics = (p.Metrics ?? []) as { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: Stat }[];
  const returned = metrics.find((m) => m.ReturnData !== false);
  const stat = (returned?.MetricStat ?? metrics.find((m) => m.MetricStat)?.MetricStat) as Stat | undefined;
  const dims = (stat?.Metric.Dimensions ?? (p.Dimensions as { Name: string; Value: unknown }[] | undefined) ?? []).map(
    (d) => [d.Name, d.Value] as const,
  );
  const actions = p.AlarmActions as unknown[] | undefined;
  const ok = p.OKActions as unknown[] | undefined;
  const runbook = /Runbook: docs\/runbooks\/([a-z0-9-]+)\.md/.exec(String(p.AlarmDescription))?.[1] ?? "(none)";
  return {
    namespace: (stat?.Metric.Namespace ?? p.Namespace) as string,
    metric: (stat?.Metric.MetricName ?? p.MetricName) as string,
    dimensions: Object.fromEntries(dims),
    statistic: (stat?.Stat ?? p.Statistic ?? p.ExtendedStatistic) as string,
    period: (stat?.Period ?? p.Period) as number,
    ...(returned?.Expression ? { expression: returned.Expression } : {}),
    threshold: p.Threshold as number,
    comparison: p.ComparisonOperator as string,
    evaluationPeriods: p.EvaluationPeriods as number,
    datapointsToAlarm: p.DatapointsToAlarm as number,
    treatMissingData: p.TreatMissingData as string,
    actions:
      JSON.stringify(actions) === JSON.stringify([TOPIC]) && JSON.stringify(ok) === JSON.stringify([TOPIC])
        ? "topic"
        : actions === undefined && ok === undefined
          ? "none"
          : (JSON.stringify({ actions, ok }) as never),
    runbook,
  };
}

const fixture = buildMonitoringFixture();
const resolve = (value: unknown) => fixture.stack.resolve(value);
const vendor = (id: string) => ({ service: "vendor-sync", VendorId: id });
const gt = "GreaterThanThreshold";

/** Every alarm the fixture must have, by name: nothing more, nothing less. */
const EXPECTED: Record<string, AlarmShape> = {
  "Fixture-acme-Sync-Failures": {
    namespace: "VendorSync",
    metric: "JobsFailed",
    dimensions: vendor("acme"),
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "sync-failures",
  },
  "Fixture-globex-Configuration-Fault": {
    namespace: "VendorSync",
    metric: "ConfigurationFaults",
    dimensions: vendor("globex"),
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "configuration-fault",
  },
  "Fixture-acme-Error-Rate": {
    namespace: "VendorSync",
    metric: "ChangesReceived",
    dimensions: vendor("acme"),
    statistic: "Sum",
    period: 300,
    expression:
      "IF(FILL(received_acme, 0) >= 20, 100 * (FILL(rejected_acme, 0) + FILL(failed_acme, 0)) / received_acme, 0)",
    threshold: 5,
    comparison: gt,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "error-rate",
  },
  "Fixture-acme-Sync-Duration-P95": {
    namespace: "VendorSync",
    metric: "SyncDuration",
    dimensions: vendor("acme"),
    statistic: "p95",
    period: 3600,
    threshold: 1_800_000,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "sync-duration-p95",
  },
  "Fixture-acme-Freshness-Breached": {
    namespace: "VendorSync",
    metric: "FreshnessAgeSeconds",
    dimensions: vendor("acme"),
    statistic: "Maximum",
    period: 300,
    threshold: 3600,
    comparison: gt,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "breaching",
    actions: "none",
    runbook: "vendor-stale",
  },
  "Fixture-acme-Paused": {
    namespace: "VendorSync",
    metric: "VendorPaused",
    dimensions: vendor("acme"),
    statistic: "Maximum",
    period: 300,
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold",
    evaluationPeriods: 3,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "none",
    runbook: "vendor-paused",
  },
  "Fixture-RealTime-Queue-Message-Age-Max-Critical": {
    namespace: "AWS/SQS",
    metric: "ApproximateAgeOfOldestMessage",
    dimensions: { QueueName: resolve(fixture.queue.queueName) },
    statistic: "Maximum",
    period: 300,
    threshold: 600,
    comparison: gt,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "queue-message-age",
  },
  "Fixture-RealTime-Queue-Message-Count-Max-Critical": {
    namespace: "AWS/SQS",
    metric: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: resolve(fixture.queue.queueName) },
    statistic: "Maximum",
    period: 300,
    threshold: 1000,
    comparison: gt,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "queue-messages-visible",
  },
  "Fixture-RealTime-DLQ-Queue-Message-Count-Max-Critical": {
    namespace: "AWS/SQS",
    metric: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: resolve(fixture.dlq.queueName) },
    statistic: "Maximum",
    period: 60,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "ignore",
    actions: "topic",
    runbook: "dlq-not-empty",
  },
  "Fixture-RealTime-DLQ-Queue-Incoming-Messages-Count-Max-Critical": {
    namespace: "AWS/SQS",
    metric: "NumberOfMessagesSent",
    dimensions: { QueueName: resolve(fixture.dlq.queueName) },
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "dlq-messages-arrived",
  },
  "Fixture-Schedules-DLQ-Queue-Message-Count-Max-Critical": {
    namespace: "AWS/SQS",
    metric: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: resolve(fixture.schedulesDlq.queueName) },
    statistic: "Maximum",
    period: 60,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "ignore",
    actions: "topic",
    runbook: "dlq-not-empty",
  },
  "Fixture-Schedules-DLQ-Queue-Incoming-Messages-Count-Max-Critical": {
    namespace: "AWS/SQS",
    metric: "NumberOfMessagesSent",
    dimensions: { QueueName: resolve(fixture.schedulesDlq.queueName) },
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "dlq-messages-arrived",
  },
  "Fixture-Processor-Duration-P95": {
    namespace: "AWS/Lambda",
    metric: "Duration",
    dimensions: { FunctionName: resolve(fixture.fn.functionName) },
    statistic: "p95",
    period: 300,
    threshold: 24_000,
    comparison: gt,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "function-duration-p95",
  },
  "Fixture-BatchSync-Failure-Count-Critical": {
    namespace: "AWS/States",
    metric: "ExecutionsFailed",
    dimensions: { StateMachineArn: resolve(fixture.stateMachine.stateMachineArn) },
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "state-machine-failed",
  },
  "Fixture-BatchSync-TimedOut-Count-Critical": {
    namespace: "AWS/States",
    metric: "ExecutionsTimedOut",
    dimensions: { StateMachineArn: resolve(fixture.stateMachine.stateMachineArn) },
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "state-machine-timed-out",
  },
  "Fixture-WebhookApi-Fault-Count-Critical": {
    namespace: "AWS/ApiGateway",
    metric: "5XXError",
    dimensions: { ApiName: "WebhookApi", Stage: resolve(fixture.api.deploymentStage.stageName) },
    statistic: "Sum",
    period: 300,
    threshold: 0,
    comparison: gt,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: "notBreaching",
    actions: "topic",
    runbook: "api-5xx",
  },
};
// globex: the same vendor alarms with its own SLO (default 1440 min) and tolerated share (2 %).
for (const [name, shape] of Object.entries(EXPECTED).filter(([name]) => name.startsWith("Fixture-acme-"))) {
  EXPECTED[name.replace("acme", "globex")] = {
    ...shape,
    dimensions: vendor("globex"),
    ...(shape.expression ? { expression: shape.expression.replaceAll("acme", "globex") } : {}),
    ...(shape.metric === "FreshnessAgeSeconds" ? { threshold: 1440 * 60 } : {}),
    ...(shape.expression ? { threshold: 2 } : {}),
  };
}

let template: Template;
let alarms: Record<string, Resource>;

beforeAll(() => {
  template = Template.fromStack(fixture.stack);
  alarms = Object.fromEntries(
    Object.values(template.findResources("AWS::CloudWatch::Alarm")).map((resource) => [
      String((resource as Resource).Properties.AlarmName),
      resource as Resource,
    ]),
  );
});

describe("VendorSyncMonitoring alarms", () => {
  it("creates exactly the expected alarms (and none for the disabled vendor)", () => {
    expect(Object.keys(alarms).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: metric, statistic, period, threshold, comparison, evaluation, missing data, action, runbook`, () => {
      const alarm = alarms[name];
      expect(alarm, name).toBeDefined();
      expect(shapeOf(alarm as Resource)).toEqual(expected);
    });
  }

  it("computes the error rate from the vendor's received, rejected and failed counts", () => {
    const metrics = (alarms["Fixture-acme-Error-Rate"] as Resource).Properties.Metrics as {
      Id: string;
      MetricStat?: { Metric: { MetricName: string }; Stat: string };
    }[];
    expect(
      Object.fromEntries(metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat?.Metric.MetricName])),
    ).toEqual({ received_acme: "ChangesReceived", rejected_acme: "ChangesRejected", failed_acme: "ChangesFailed" });
  });

  it("raises staleness per vendor only when its freshness is breached (or silent) and it is not paused", () => {
    const composites = template.findResources("AWS::CloudWatch::CompositeAlarm");
    const byName = Object.fromEntries(
      Object.entries(composites).map(([id, r]) => [String((r as Resource).Properties.AlarmName), { id, ...r }]),
    );
    expect(Object.keys(byName).sort()).toEqual(["Fixture-acme-Stale", "Fixture-globex-Stale"]);
    const logicalId = (alarmName: string) =>
      Object.entries(template.findResources("AWS::CloudWatch::Alarm")).find(
        ([, r]) => (r as Resource).Properties.AlarmName === alarmName,
      )?.[0];
    for (const vendorId of ["acme", "globex"]) {
      const stale = byName[`Fixture-${vendorId}-Stale`] as unknown as Resource;
      expect(stale.Properties.AlarmActions).toEqual([TOPIC]);
      expect(stale.Properties.OKActions).toEqual([TOPIC]);
      expect(String(stale.Properties.AlarmDescription)).toContain("Runbook: docs/runbooks/vendor-stale.md");
      expect(stale.Properties.AlarmRule).toEqual({
        "Fn::Join": [
          "",
          [
            '(ALARM("',
            { "Fn::GetAtt": [logicalId(`Fixture-${vendorId}-Freshness-Breached`), "Arn"] },
            '") AND (NOT (ALARM("',
            { "Fn::GetAtt": [logicalId(`Fixture-${vendorId}-Paused`), "Arn"] },
            '"))))',
          ],
        ],
      });
    }
  });

  it("links a runbook page that exists for every alarm", () => {
    for (const page of Object.values(RUNBOOKS)) {
      expect(existsSync(repoPath(`docs/runbooks/${page}.md`)), page).toBe(true);
    }
    for (const alarm of Object.values(alarms)) {
      expect(String(alarm.Properties.AlarmDescription)).toMatch(/Runbook: docs\/runbooks\/[a-z0-9-]+\.md$/);
    }
  });
});

describe("alarm topic", () => {
  it("is encrypted with a rotated customer managed key that CloudWatch alarms of this account may use", () => {
    const keys = template.findResources("AWS::KMS::Key");
    expect(Object.keys(keys)).toHaveLength(1);
    const [keyId, key] = Object.entries(keys)[0] as [string, Resource];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] } });
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: "AllowCloudWatchAlarmsToPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Condition: {
          StringEquals: { "aws:SourceAccount": "111122223333" },
          ArnLike: { "aws:SourceArn": expect.anything() },
        },
      }),
    );
  });

  it("refuses publishing without TLS and lets only this account's alarms publish", () => {
    const policies = Object.values(template.findResources("AWS::SNS::TopicPolicy")) as Resource[];
    expect(policies).toHaveLength(1);
    const statements = (policies[0] as Resource).Properties.PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(statements.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "sns:Publish",
        Principal: "*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
    expect(statements.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Action: "sns:Publish",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Condition: expect.objectContaining({ StringEquals: { "aws:SourceAccount": "111122223333" } }),
      }),
    );
  });

  it("subscribes the stage's alarm e-mails", () => {
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
      TopicArn: TOPIC,
    });
  });

  it("uses a given topic instead of creating one", () => {
    const app = new App();
    const stack = new Stack(app, "Given");
    const topic = new Topic(stack, "Ops");
    new VendorSyncMonitoring(stack, "Monitoring", {
      alarmTopic: topic,
      queues: [{ queue: new Queue(stack, "Q"), deadLetterQueue: new Queue(stack, "D"), name: "Jobs" }],
    });
    const given = Template.fromStack(stack);
    given.resourceCountIs("AWS::SNS::Topic", 1);
    given.resourceCountIs("AWS::KMS::Key", 0);
    const actions = Object.values(given.findResources("AWS::CloudWatch::Alarm")).map(
      (a) => (a as Resource).Properties.AlarmActions,
    );
    expect(actions).toHaveLength(4);
    for (const action of actions)
      expect(action).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }]);
  });
});

describe("VendorSyncMonitoring without workflows", () => {
  it("synthesizes a topic and a dashboard with no alarms when nothing is given yet", () => {
    const app = new App();
    const stack = new Stack(app, "Empty");
    new VendorSyncMonitoring(stack, "Monitoring");
    const empty = Template.fromStack(stack);
    empty.resourceCountIs("AWS::CloudWatch::Alarm", 0);
    empty.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    empty.resourceCountIs("AWS::SNS::Topic", 1);
  });

  it("watches an HTTP API's 5xx responses by API id", () => {
    const app = new App();
    const stack = new Stack(app, "Http");
    const api = new HttpApi(stack, "Webhooks");
    new VendorSyncMonitoring(stack, "Monitoring", { api });
    const http = Template.fromStack(stack);
    const [alarm] = Object.values(http.findResources("AWS::CloudWatch::Alarm")) as Resource[];
    expect(shapeOf(alarm as Resource)).toMatchObject({
      namespace: "AWS/ApiGateway",
      metric: "5xx",
      dimensions: { ApiId: stack.resolve(api.apiId) },
      statistic: "Sum",
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "notBreaching",
      runbook: "api-5xx",
    });
  });

  it("fails on a queue name that cannot be part of an alarm name", () => {
    const app = new App();
    const stack = new Stack(app, "Bad");
    expect(
      () =>
        new VendorSyncMonitoring(stack, "Monitoring", {
          queues: [{ queue: new Queue(stack, "Q"), deadLetterQueue: new Queue(stack, "D"), name: "real time" }],
        }),
    ).toThrow(/queue name "real time"/);
  });
});

/** The dashboard body with CloudFormation tokens replaced by stable placeholders. */
function dashboardBody(t: Template): { widgets: { type: string; properties: Record<string, unknown> }[] } {
  const [dashboard] = Object.values(t.findResources("AWS::CloudWatch::Dashboard")) as Resource[];
  const body = dashboard?.Properties.DashboardBody as string | { "Fn::Join": [string, unknown[]] };
  const text =
    typeof body === "string"
      ? body
      : body["Fn::Join"][1]
          .map((part) => {
            if (typeof part === "string") return part;
            const token = part as { Ref?: string; "Fn::GetAtt"?: string[] };
            return token.Ref ? `\${${token.Ref}}` : `\${${token["Fn::GetAtt"]?.join(".")}}`;
          })
          .join("");
  return JSON.parse(text);
}

describe("dashboard", () => {
  it("is one dashboard, named after the stack", () => {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    template.hasResourceProperties("AWS::CloudWatch::Dashboard", { DashboardName: "Fixture" });
  });

  it("shows freshness, pause, outcomes, errors by type, queues and DLQs, durations and throughput", () => {
    const titles = dashboardBody(template)
      .widgets.map((w) => String(w.properties.title ?? w.properties.markdown ?? ""))
      .join("\n");
    for (const expected of [
      "Data freshness: age of the newest accepted change (s)",
      "Time since the last successful sync (s)",
      "Paused vendors (1 = paused)",
      "Jobs by status (all vendors)",
      "Changes by outcome (all vendors)",
      "Error rate per vendor",
      "Errors by type (all vendors)",
      "Sync duration p95 per vendor (ms)",
      "Throughput",
      "Signature rejections and duplicates dropped",
      "Queue RealTime",
      "Dead-Letter Queue",
      "DLQ: Message Count",
      "Lambda duration p95 (ms)",
      "State machine BatchSync",
      "API WebhookApi",
      "Vendor staleness",
    ]) {
      expect(titles).toContain(expected);
    }
  });

  it("matches the snapshot", () => {
    expect(dashboardBody(template)).toMatchSnapshot();
  });
});

describe("the app's stateless stack", () => {
  let t: Template;
  beforeAll(async () => {
    t = (await synthesizedStacks()).stateless;
  }, 0);

  it("wires monitoring to the apply-changes function, the freshness monitor and every enabled vendor", () => {
    const names = Object.values(t.findResources("AWS::CloudWatch::Alarm")).map((a) =>
      String((a as Resource).Properties.AlarmName),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "VendorSync-dev-ApplyChanges-Duration-P95",
        "VendorSync-dev-FreshnessMonitor-Duration-P95",
        "VendorSync-dev-magento-luma-Freshness-Breached",
        "VendorSync-dev-shopify-demo-Freshness-Breached",
        "VendorSync-dev-canonical-Freshness-Breached",
      ]),
    );
    t.resourceCountIs("AWS::CloudWatch::CompositeAlarm", 3);
    t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(5 minutes)" });
    const threshold = (alarmName: string) =>
      (
        Object.values(t.findResources("AWS::CloudWatch::Alarm")).find(
          (a) => (a as Resource).Properties.AlarmName === alarmName,
        ) as Resource
      ).Properties.Threshold;
    // 80 % of the functions' timeouts: apply-changes 30 s, freshness monitor 60 s.
    expect(threshold("VendorSync-dev-ApplyChanges-Duration-P95")).toBe(24_000);
    expect(threshold("VendorSync-dev-FreshnessMonitor-Duration-P95")).toBe(48_000);
    const shopify = Object.values(t.findResources("AWS::CloudWatch::Alarm")).find(
      (a) => (a as Resource).Properties.AlarmName === "VendorSync-dev-shopify-demo-Freshness-Breached",
    ) as Resource;
    expect(shopify.Properties.Threshold).toBe(180 * 60);
  });

  it("gives the freshness monitor read-only access to the sync table", () => {
    const policies = Object.entries(t.findResources("AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("FreshnessMonitor"),
    );
    const actions = JSON.stringify(policies.map(([, p]) => (p as Resource).Properties.PolicyDocument));
    expect(actions).toContain("dynamodb:GetItem");
    expect(actions).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/);
  });
});

describe("VendorSyncMonitoring API", () => {
  it("exposes each enabled vendor's alarms and every notifying alarm, without the composites' silent children", () => {
    const { monitoring } = fixture;
    expect([...monitoring.vendorAlarms.keys()]).toEqual(["acme", "globex"]);
    const notifying = monitoring.notifyingAlarms.map((alarm) => resolve(alarm.alarmArn));
    const acme = monitoring.vendorAlarms.get("acme");
    expect(notifying).toContainEqual(resolve(acme?.stale.alarmArn));
    expect(notifying).toContainEqual(resolve(acme?.syncFailures.alarmArn));
    expect(notifying).not.toContainEqual(resolve(acme?.freshnessBreached.alarmArn));
    expect(notifying).not.toContainEqual(resolve(acme?.paused.alarmArn));
    // 13 notifying metric alarms (EXPECTED minus 4 silent children) + 2 composites.
    expect(notifying).toHaveLength(Object.keys(EXPECTED).length - 4 + 2);
    expect(resolve(monitoring.dashboard.dashboardName)).toEqual({
      Ref: expect.stringMatching(/^MonitoringDashboards/),
    });
  });

  it("links runbooks under a given base URL", () => {
    const { stack } = buildMonitoringFixture({ runbookBaseUrl: "https://git.example.com/vendor-sync/docs/runbooks/" });
    const descriptions = Object.values(Template.fromStack(stack).findResources("AWS::CloudWatch::Alarm")).map((a) =>
      String((a as Resource).Properties.AlarmDescription),
    );
    for (const description of descriptions) {
      expect(description).toMatch(/Runbook: https:\/\/git\.example\.com\/vendor-sync\/docs\/runbooks\/[a-z0-9-]+\.md$/);
    }
  });
});
