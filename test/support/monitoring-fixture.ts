import { App, Duration, Stack } from "aws-cdk-lib";
import { RestApi } from "aws-cdk-lib/aws-apigateway";
import { Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { DefinitionBody, Pass, StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { parseVendorConfig, type VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { VendorSyncMonitoring, type VendorSyncMonitoringProps } from "../../lib/constructs/monitoring.ts";

/** Two vendors with different SLOs and tolerated shares (one with a webhook channel), and a disabled one. */
export const fixtureVendors: VendorConfig[] = [
  parseVendorConfig(
    { id: "acme", name: "Acme", entityTypes: ["price"], defaultCurrency: "USD", freshnessSloMinutes: 60 },
    "acme",
  ),
  parseVendorConfig(
    {
      id: "globex",
      name: "Globex",
      entityTypes: ["inventory"],
      defaultCurrency: "EUR",
      toleratedRejectedPercent: 2,
      channels: { webhook: { scheme: "stripe", secretName: "vendor-sync/globex/webhook" } },
    },
    "globex",
  ),
  parseVendorConfig(
    { id: "retired", name: "Retired", enabled: false, entityTypes: ["order"], defaultCurrency: "USD" },
    "retired",
  ),
];

/**
 * A stack with one of everything the monitoring watches (inline-code resources: no bundling), so
 * the monitoring tests do not depend on which workflows the app has built yet.
 */
export function buildMonitoringFixture(overrides: Partial<VendorSyncMonitoringProps> = {}) {
  const app = new App();
  const stack = new Stack(app, "Fixture", { env: { account: "111122223333", region: "eu-central-1" } });
  const fn = new LambdaFunction(stack, "Processor", {
    runtime: Runtime.NODEJS_24_X,
    handler: "index.handler",
    code: Code.fromInline("export const handler = async () => {};"),
    timeout: Duration.seconds(30),
  });
  const dlq = new Queue(stack, "RealTimeDlq");
  const queue = new Queue(stack, "RealTime", { deadLetterQueue: { queue: dlq, maxReceiveCount: 8 } });
  const schedulesDlq = new Queue(stack, "SchedulesDlq");
  const stateMachine = new StateMachine(stack, "BatchSync", {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, "Start")),
  });
  const api = new RestApi(stack, "WebhookApi");
  api.root.addMethod("GET");
  const monitoring = new VendorSyncMonitoring(stack, "Monitoring", {
    vendors: fixtureVendors,
    functions: [fn],
    queues: [{ queue, deadLetterQueue: dlq, name: "RealTime", maxMessageAge: Duration.minutes(10) }],
    deadLetterQueues: [{ deadLetterQueue: schedulesDlq, name: "Schedules", sender: "EventBridge Scheduler" }],
    stateMachines: [stateMachine],
    api,
    alarmEmails: ["oncall@example.com"],
    ...overrides,
  });
  return { app, stack, monitoring, fn, queue, dlq, schedulesDlq, stateMachine, api };
}
