/**
 * A deployed-looking view of synthesized templates without an account: every resource gets the
 * physical name and ARN CloudFormation would give it in a fixed fake account and region, and the
 * templates' intrinsics (`Ref`, `Fn::GetAtt`, `Fn::ImportValue`, `Fn::GetStackOutput`, `Fn::Join`, `Fn::Sub`, …) resolve
 * to those values. Names are deterministic, so a test can say which ARN a call must reach.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

/** The fake account every ARN is in. */
export const FAKE_ACCOUNT = "123456789012";

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON is dynamic; callers walk it by key.
export type Json = any;

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Json;
  readonly [field: string]: Json;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly region: string;
  readonly template: { Resources: Record<string, TemplateResource>; Outputs?: Record<string, Json> };
}

/** What a resource would be once deployed: its `Ref` and its `Fn::GetAtt` attributes. */
interface Physical {
  readonly ref: string;
  readonly attributes: Record<string, string>;
}

const lowerName = (stack: string, id: string, max: number) =>
  `${stack}-${id}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, max);

/** A resolver over every stack of one app (cross-stack imports resolve through the exports). */
export class DeployedApp {
  readonly account = FAKE_ACCOUNT;
  readonly stacks: readonly SynthesizedStack[];
  readonly #physical = new Map<string, Physical>();

  constructor(stacks: readonly SynthesizedStack[]) {
    this.stacks = stacks;
  }

  /** The stack holding a logical id (ids are unique across this app's stacks). */
  stackOf(logicalId: string): SynthesizedStack {
    const stack = this.stacks.find((s) => s.template.Resources[logicalId] !== undefined);
    if (!stack) throw new Error(`no resource ${logicalId} in any stack`);
    return stack;
  }

  resource(logicalId: string): TemplateResource {
    return this.stackOf(logicalId).template.Resources[logicalId] as TemplateResource;
  }

  /** Every resource of a type, across stacks, as `[logicalId, resource]`. */
  resources(type: string): [string, TemplateResource][] {
    return this.stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources).filter(([, resource]) => resource.Type === type),
    );
  }

  /** `Ref` of a resource. */
  ref(logicalId: string): string {
    return this.#physicalOf(logicalId).ref;
  }

  /** `Fn::GetAtt` of a resource. @throws for an attribute this view does not model. */
  attribute(logicalId: string, name: string): string {
    const value = this.#physicalOf(logicalId).attributes[name];
    if (value === undefined) throw new Error(`no attribute ${name} modelled for ${logicalId}`);
    return value;
  }

  /** Resolves every intrinsic function in a template value, within the stack of `logicalId`'s resource. */
  resolve(value: Json, stack: SynthesizedStack): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, stack));
    if (value === null || typeof value !== "object") return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = value[fn];
      switch (fn) {
        case "Ref":
          return this.#pseudo(arg, stack) ?? this.ref(arg);
        case "Fn::GetAtt": {
          const [id, name] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
          return this.attribute(id, name);
        }
        case "Fn::ImportValue":
          return this.#import(this.resolve(arg, stack));
        case "Fn::GetStackOutput": {
          const { StackName, OutputName } = this.resolve(arg, stack) as { StackName: string; OutputName: string };
          const source = this.stacks.find((s) => s.stackName === StackName);
          const output = source?.template.Outputs?.[OutputName];
          if (!source || !output) throw new Error(`no output ${OutputName} of stack ${StackName}`);
          return this.resolve(output.Value, source);
        }
        case "Fn::Join": {
          const [separator, parts] = arg;
          return (this.resolve(parts, stack) as unknown[]).join(separator);
        }
        case "Fn::Select": {
          const [index, list] = arg;
          return (this.resolve(list, stack) as unknown[])[Number(this.resolve(index, stack))];
        }
        case "Fn::Split": {
          const [separator, text] = arg;
          return String(this.resolve(text, stack)).split(separator);
        }
        case "Fn::Sub":
          return this.#sub(arg, stack);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item, stack)]));
  }

  #pseudo(name: string, stack: SynthesizedStack): string | undefined {
    const values: Record<string, string> = {
      "AWS::AccountId": this.account,
      "AWS::Region": stack.region,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": stack.stackName,
      "AWS::StackId": `arn:aws:cloudformation:${stack.region}:${this.account}:stack/${stack.stackName}/0000`,
    };
    return values[name];
  }

  #import(exportName: string): string {
    for (const stack of this.stacks) {
      for (const output of Object.values(stack.template.Outputs ?? {})) {
        if (output.Export && this.resolve(output.Export.Name, stack) === exportName) {
          return this.resolve(output.Value, stack);
        }
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }

  #sub(arg: Json, stack: SynthesizedStack): string {
    const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
    return String(text).replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (variables[name] !== undefined) return this.resolve(variables[name], stack);
      const pseudo = this.#pseudo(name, stack);
      if (pseudo !== undefined) return pseudo;
      const [id, attribute] = name.split(/\.(.*)/) as [string, string | undefined];
      return attribute ? this.attribute(id, attribute) : this.ref(id);
    });
  }

  #physicalOf(logicalId: string): Physical {
    let physical = this.#physical.get(logicalId);
    if (!physical) {
      physical = this.#deploy(logicalId);
      this.#physical.set(logicalId, physical);
    }
    return physical;
  }

  /** The physical name and attributes CloudFormation would give the resource. */
  #deploy(id: string): Physical {
    const stack = this.stackOf(id);
    const resource = stack.template.Resources[id] as TemplateResource;
    const props = resource.Properties ?? {};
    const { region } = stack;
    const account = this.account;
    const given = (field: string) =>
      props[field] === undefined ? undefined : String(this.resolve(props[field], stack));
    const name = (field: string, max = 64) => given(field) ?? lowerName(stack.stackName, id, max);
    switch (resource.Type) {
      case "AWS::DynamoDB::Table":
      case "AWS::DynamoDB::GlobalTable": {
        const table = name("TableName", 255);
        const arn = `arn:aws:dynamodb:${region}:${account}:table/${table}`;
        return { ref: table, attributes: { Arn: arn, StreamArn: `${arn}/stream/2026-01-01T00:00:00.000` } };
      }
      case "AWS::S3::Bucket": {
        const bucket = name("BucketName", 63);
        return {
          ref: bucket,
          attributes: {
            Arn: `arn:aws:s3:::${bucket}`,
            DomainName: `${bucket}.s3.amazonaws.com`,
            RegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
          },
        };
      }
      case "AWS::SQS::Queue": {
        const queue = name("QueueName", 80);
        return {
          ref: `https://sqs.${region}.amazonaws.com/${account}/${queue}`,
          attributes: { Arn: `arn:aws:sqs:${region}:${account}:${queue}`, QueueName: queue, QueueUrl: "" },
        };
      }
      case "AWS::SNS::Topic": {
        const topic = name("TopicName", 256);
        const arn = `arn:aws:sns:${region}:${account}:${topic}`;
        return { ref: arn, attributes: { TopicArn: arn, TopicName: topic } };
      }
      case "AWS::Lambda::Function": {
        const fn = name("FunctionName");
        return { ref: fn, attributes: { Arn: `arn:aws:lambda:${region}:${account}:function:${fn}` } };
      }
      case "AWS::IAM::Role": {
        const role = name("RoleName");
        return { ref: role, attributes: { Arn: `arn:aws:iam::${account}:role/${role}`, RoleId: `AROA${id}` } };
      }
      case "AWS::Logs::LogGroup": {
        const group = name("LogGroupName", 512);
        return { ref: group, attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${group}:*` } };
      }
      case "AWS::StepFunctions::StateMachine": {
        const machine = name("StateMachineName", 80);
        const arn = `arn:aws:states:${region}:${account}:stateMachine:${machine}`;
        return { ref: arn, attributes: { Arn: arn, Name: machine } };
      }
      case "AWS::SecretsManager::Secret": {
        const secret = name("Name", 512);
        return { ref: `arn:aws:secretsmanager:${region}:${account}:secret:${secret}-AbCdEf`, attributes: {} };
      }
      case "AWS::KMS::Key": {
        const keyId = `00000000-0000-4000-8000-${id
          .replace(/[^0-9a-f]/gi, "0")
          .slice(-12)
          .padStart(12, "0")}`;
        return { ref: keyId, attributes: { Arn: `arn:aws:kms:${region}:${account}:key/${keyId}`, KeyId: keyId } };
      }
      case "AWS::Events::Rule": {
        const rule = name("Name");
        return { ref: rule, attributes: { Arn: `arn:aws:events:${region}:${account}:rule/${rule}` } };
      }
      case "AWS::Scheduler::ScheduleGroup": {
        const group = name("Name");
        return { ref: group, attributes: { Arn: `arn:aws:scheduler:${region}:${account}:schedule-group/${group}` } };
      }
      case "AWS::Scheduler::Schedule": {
        const schedule = name("Name");
        const group = given("GroupName") ?? "default";
        return {
          ref: schedule,
          attributes: { Arn: `arn:aws:scheduler:${region}:${account}:schedule/${group}/${schedule}` },
        };
      }
      case "AWS::CloudWatch::Alarm":
      case "AWS::CloudWatch::CompositeAlarm": {
        const alarm = name("AlarmName", 255);
        return { ref: alarm, attributes: { Arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${alarm}` } };
      }
      case "AWS::ApiGatewayV2::Api": {
        const apiId = id.slice(0, 10).toLowerCase();
        return { ref: apiId, attributes: { ApiEndpoint: `https://${apiId}.execute-api.${region}.amazonaws.com` } };
      }
      default:
        return { ref: `${id}-physical-id`, attributes: {} };
    }
  }
}
