/**
 * The calls AWS services make on the stack's behalf, derived from the template's wiring: what each
 * service documents it needs, with the principal, resource and context keys (`aws:SourceArn`,
 * `aws:SourceAccount`, `kms:ViaService`) the service sets. None of these go through our code, so no
 * SDK recorder sees them; they are evaluated against the same identity and resource policies.
 */
import type { DeployedApp, Json, SynthesizedStack } from "./cloudformation.ts";
import type { IamRequest, ResourceDirectory } from "./iam-requests.ts";

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const request = (
  principal: string,
  action: string,
  resource: string,
  origin: string,
  context: IamRequest["context"] = {},
): IamRequest => ({ principal, action, resource, origin, context });

/** A service principal's confused-deputy context: the resource acting and its account. */
const fromSource = (app: DeployedApp, sourceArn: string) => ({
  "aws:SourceArn": sourceArn,
  "aws:SourceAccount": app.account,
});

/** Every call a service makes for this app's resources. */
export function serviceMadeCalls(app: DeployedApp, directory: ResourceDirectory): IamRequest[] {
  return [
    ...functionLogs(app),
    ...eventSourceMappings(app),
    ...asyncInvokeDestinations(app),
    ...apiIntegrations(app),
    ...ruleTargets(app),
    ...schedules(app),
    ...stateMachines(app),
    ...alarmActions(app, directory),
  ];
}

const roleOfFunction = (app: DeployedApp, functionId: string) => {
  const fn = app.resource(functionId);
  return String(app.resolve(fn.Properties.Role, app.stackOf(functionId)));
};
const functionIdOf = (app: DeployedApp, nameOrArn: string) =>
  app
    .resources("AWS::Lambda::Function")
    .find(([id]) => app.ref(id) === nameOrArn || app.attribute(id, "Arn") === nameOrArn)?.[0] ?? "";

/** Lambda writes each function's logs with the function's role, into the group its logging config names. */
function functionLogs(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::Lambda::Function").flatMap(([id, fn]) => {
    const stack = app.stackOf(id);
    const group = fn.Properties.LoggingConfig?.LogGroup
      ? String(app.resolve(fn.Properties.LoggingConfig.LogGroup, stack))
      : `/aws/lambda/${app.ref(id)}`;
    const stream = `arn:aws:logs:${stack.region}:${app.account}:log-group:${group}:log-stream:2026/12/04/[$LATEST]0123456789abcdef`;
    const role = roleOfFunction(app, id);
    return ["logs:CreateLogStream", "logs:PutLogEvents"].map((action) =>
      request(role, action, stream, `Lambda logs of ${id}`),
    );
  });
}

/**
 * Lambda's event source mappings poll with the function's role: SQS receives and deletes, DynamoDB
 * stream reads, and the on-failure destination's send.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
function eventSourceMappings(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::Lambda::EventSourceMapping").flatMap(([id, mapping]) => {
    const props = app.resolve(mapping.Properties, app.stackOf(id));
    const role = roleOfFunction(app, functionIdOf(app, props.FunctionName));
    const source = String(props.EventSourceArn);
    const origin = `event source mapping ${id}`;
    const reads = source.startsWith("arn:aws:sqs:")
      ? ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      : // The mapping names its stream: Lambda describes and reads it. (The docs also list ListStreams, an
        // action on `*` only, for finding a table's stream; the CDK grant of it on the stream ARN
        // grants nothing — aws/aws-cdk#34575 — and is on the removal list.)
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];
    const failure = props.DestinationConfig?.OnFailure?.Destination;
    return [
      ...reads.map((action) => request(role, action, source, origin)),
      ...(failure ? [request(role, "sqs:SendMessage", String(failure), `${origin} on-failure destination`)] : []),
    ];
  });
}

/** An async invoke's failure destination is sent to with the function's role. */
function asyncInvokeDestinations(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::Lambda::EventInvokeConfig").flatMap(([id, config]) => {
    const props = app.resolve(config.Properties, app.stackOf(id));
    const failure = props.DestinationConfig?.OnFailure?.Destination;
    if (!failure) return [];
    return [
      request(roleOfFunction(app, functionIdOf(app, props.FunctionName)), "sqs:SendMessage", String(failure), id),
    ];
  });
}

/** API Gateway invokes each route's function, with the route's execute-api ARN as source. */
function apiIntegrations(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::ApiGatewayV2::Route").flatMap(([id, route]) => {
    const stack = app.stackOf(id);
    const props = app.resolve(route.Properties, stack);
    const integrationId = String(props.Target).replace(/^integrations\//, "");
    const [integration] = app
      .resources("AWS::ApiGatewayV2::Integration")
      .filter(([iid]) => app.ref(iid) === integrationId);
    if (!integration) return [];
    const target = String(app.resolve(integration[1].Properties.IntegrationUri, stack));
    const [method, path] = String(props.RouteKey).split(" ");
    const source = `arn:aws:execute-api:${stack.region}:${app.account}:${props.ApiId}/$default/${method}${path}`;
    return [
      request(
        "apigateway.amazonaws.com",
        "lambda:InvokeFunction",
        target,
        `route ${props.RouteKey}`,
        fromSource(app, source),
      ),
    ];
  });
}

/** EventBridge rules invoke their targets and send to their targets' dead-letter queues. */
function ruleTargets(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::Events::Rule").flatMap(([id, rule]) => {
    const props = app.resolve(rule.Properties, app.stackOf(id));
    const context = fromSource(app, app.attribute(id, "Arn"));
    return asArray(props.Targets).flatMap((target: Json) => [
      ...(String(target.Arn).startsWith("arn:aws:lambda:")
        ? [request("events.amazonaws.com", "lambda:InvokeFunction", String(target.Arn), `rule ${id}`, context)]
        : []),
      ...(target.DeadLetterConfig?.Arn
        ? [
            request(
              "events.amazonaws.com",
              "sqs:SendMessage",
              String(target.DeadLetterConfig.Arn),
              `rule ${id} DLQ`,
              context,
            ),
          ]
        : []),
    ]);
  });
}

/**
 * EventBridge Scheduler assumes each schedule's role (source: the schedule group), then invokes the
 * target and sends failed deliveries to the schedule's dead-letter queue with it.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
function schedules(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::Scheduler::Schedule").flatMap(([id, schedule]) => {
    const stack = app.stackOf(id);
    const props = app.resolve(schedule.Properties, stack);
    const group = `arn:aws:scheduler:${stack.region}:${app.account}:schedule-group/${props.GroupName ?? "default"}`;
    const role = String(props.Target.RoleArn);
    const origin = `schedule ${id}`;
    return [
      request("scheduler.amazonaws.com", "sts:AssumeRole", role, origin, fromSource(app, group)),
      request(role, "lambda:InvokeFunction", String(props.Target.Arn), origin),
      ...(props.Target.DeadLetterConfig?.Arn
        ? [request(role, "sqs:SendMessage", String(props.Target.DeadLetterConfig.Arn), `${origin} DLQ`)]
        : []),
    ];
  });
}

/**
 * Step Functions assumes the state machine's role, invokes each Task's function, and for each
 * Distributed Map starts child executions of the state machine itself, describes and stops them, and
 * can redrive its Map Runs; it delivers logs and traces.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
 */
function stateMachines(app: DeployedApp): IamRequest[] {
  return app.resources("AWS::StepFunctions::StateMachine").flatMap(([id, machine]) => {
    const stack = app.stackOf(id);
    const props = app.resolve(machine.Properties, stack);
    const role = String(props.RoleArn);
    const arn = app.ref(id);
    const name = app.attribute(id, "Name");
    const execution = `arn:aws:states:${stack.region}:${app.account}:execution:${name}`;
    const definition = definitionOf(props, stack);
    const labels = Object.values<Json>(definition.States)
      .filter((state) => state.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED")
      .map((state) => state.Label);
    const origin = `state machine ${id}`;
    const logs = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery"];
    return [
      request("states.amazonaws.com", "sts:AssumeRole", role, origin, fromSource(app, arn)),
      ...taskFunctions(definition).map((fn) => request(role, "lambda:InvokeFunction", fn, `${origin} Task`)),
      ...(labels.length > 0
        ? [
            request(role, "states:StartExecution", arn, `${origin} Distributed Map`),
            request(role, "states:DescribeExecution", `${execution}:run-1`, `${origin} Distributed Map`),
            request(role, "states:StopExecution", `${execution}:run-1`, `${origin} Distributed Map`),
            ...labels.map((label) =>
              request(role, "states:RedriveExecution", `${execution}/${label}:run-1`, `${origin} Map Run ${label}`),
            ),
          ]
        : []),
      ...(props.LoggingConfiguration ? logs.map((action) => request(role, action, "*", `${origin} logs`)) : []),
      ...(props.TracingConfiguration?.Enabled
        ? ["xray:PutTraceSegments", "xray:PutTelemetryRecords"].map((action) =>
            request(role, action, "*", `${origin} X-Ray`),
          )
        : []),
    ];
  });
}

function definitionOf(props: Json, stack: SynthesizedStack): Json {
  void stack;
  const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, string>;
  const text = String(props.DefinitionString).replace(
    /\$\{(\w+)\}/g,
    (whole, key: string) => substitutions[key] ?? whole,
  );
  return JSON.parse(text);
}

function taskFunctions(definition: Json): string[] {
  const found = new Set<string>();
  const walk = (states: Record<string, Json>) => {
    for (const state of Object.values(states)) {
      if (state.Type === "Task" && String(state.Resource).startsWith("arn:aws:lambda:"))
        found.add(String(state.Resource));
      if (state.ItemProcessor) walk(state.ItemProcessor.States);
    }
  };
  walk(definition.States);
  return [...found];
}

/**
 * CloudWatch publishes an alarm's state changes to its SNS actions as `cloudwatch.amazonaws.com`
 * (source: the alarm), using the topic's KMS key through SNS.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
function alarmActions(app: DeployedApp, directory: ResourceDirectory): IamRequest[] {
  const alarms = [...app.resources("AWS::CloudWatch::Alarm"), ...app.resources("AWS::CloudWatch::CompositeAlarm")];
  return alarms.flatMap(([id, alarm]) => {
    const stack = app.stackOf(id);
    const props = app.resolve(alarm.Properties, stack);
    const context = fromSource(app, app.attribute(id, "Arn"));
    const topics = [...asArray<string>(props.AlarmActions), ...asArray<string>(props.OKActions)].filter((a) =>
      a.startsWith("arn:aws:sns:"),
    );
    return [...new Set(topics)].flatMap((topic) => {
      const key = directory.topicKeyArn(topic);
      const viaSns = { ...context, "kms:ViaService": `sns.${stack.region}.amazonaws.com` };
      return [
        request("cloudwatch.amazonaws.com", "sns:Publish", topic, `alarm ${id}`, context),
        ...(key
          ? ["kms:GenerateDataKey", "kms:Decrypt"].map((action) =>
              request("cloudwatch.amazonaws.com", action, key, `alarm ${id} via SNS`, viaSns),
            )
          : []),
      ];
    });
  });
}
