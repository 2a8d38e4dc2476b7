/**
 * The IAM policies of a deployed-looking app, resolved from its templates: identity policies per
 * role (every `AWS::IAM::Policy` attached to it, its inline policies), resource policies per
 * resource ARN (queue, topic and bucket policies, key policies, Lambda permissions), and the
 * evaluation of one request with `@cloud-copilot/iam-simulate`, which applies AWS's evaluation logic
 * (identity and resource policies, same account; KMS key policies). The simulator does not fill in
 * context keys: each request brings the ones AWS would set.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { DeployedApp, Json } from "./cloudformation.ts";
import type { IamRequest } from "./iam-requests.ts";

/** One statement of an identity policy, named so a test can remove it and say which it was. */
export interface NamedStatement {
  /** `<policy logical id>#<index>` (or `<role>/<inline policy>#<index>`). */
  readonly id: string;
  readonly roleArn: string;
  readonly statement: Json;
}

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * A made-up ARN for the AWS managed key of a service (`alias/aws/<service>`): its id is AWS's, not in
 * any template.
 */
export const awsManagedKeyArn = (service: string, region: string, account: string) =>
  `arn:aws:kms:${region}:${account}:key/aws-managed-${service}`;

/**
 * The key policy of an AWS managed key (`alias/aws/<service>`), as AWS documents it: usable through
 * its service by the account's principals that may use the service.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key
 */
function awsManagedKeyPolicy(service: string, region: string, account: string): Json {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use it`,
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:CallerAccount": account, "kms:ViaService": `${service}.${region}.amazonaws.com` },
        },
      },
    ],
  };
}

/** Every policy of an app, resolved. */
export class PolicyModel {
  readonly statements: NamedStatement[] = [];
  readonly #resourcePolicies = new Map<string, Json[]>();
  readonly #decisions = new Map<string, Promise<Decision>>();

  constructor(readonly app: DeployedApp) {
    for (const [id, policy] of app.resources("AWS::IAM::Policy")) {
      const stack = app.stackOf(id);
      const document = app.resolve(policy.Properties.PolicyDocument, stack);
      for (const roleRef of policy.Properties.Roles ?? []) {
        const roleId = roleRef.Ref as string;
        const roleArn = app.attribute(roleId, "Arn");
        asArray(document.Statement).forEach((statement, index) => {
          this.statements.push({ id: `${id}#${index}`, roleArn, statement });
        });
      }
    }
    for (const [id, role] of app.resources("AWS::IAM::Role")) {
      const stack = app.stackOf(id);
      const roleArn = app.attribute(id, "Arn");
      for (const inline of role.Properties.Policies ?? []) {
        const document = app.resolve(inline.PolicyDocument, stack);
        asArray(document.Statement).forEach((statement, index) => {
          this.statements.push({ id: `${id}/${inline.PolicyName}#${index}`, roleArn, statement });
        });
      }
      if ((role.Properties.ManagedPolicyArns ?? []).length > 0) {
        throw new Error(`role ${id} has managed policies: model their statements before evaluating it`);
      }
    }
    this.#collectResourcePolicies();
  }

  #addResourcePolicy(arn: string, document: Json): void {
    this.#resourcePolicies.set(arn, [...(this.#resourcePolicies.get(arn) ?? []), ...asArray(document.Statement)]);
  }

  #collectResourcePolicies(): void {
    const app = this.app;
    const each = (type: string, apply: (props: Json, id: string) => void) => {
      for (const [id, resource] of app.resources(type)) apply(app.resolve(resource.Properties, app.stackOf(id)), id);
    };
    each("AWS::SQS::QueuePolicy", (props) => {
      for (const url of props.Queues) {
        const [, , , account, name] = String(url).split("/");
        const region = new URL(url).hostname.split(".")[1];
        this.#addResourcePolicy(`arn:aws:sqs:${region}:${account}:${name}`, props.PolicyDocument);
      }
    });
    each("AWS::SNS::TopicPolicy", (props) => {
      for (const arn of props.Topics) this.#addResourcePolicy(arn, props.PolicyDocument);
    });
    each("AWS::S3::BucketPolicy", (props) =>
      this.#addResourcePolicy(`arn:aws:s3:::${props.Bucket}`, props.PolicyDocument),
    );
    each("AWS::KMS::Key", (props, id) => this.#addResourcePolicy(app.attribute(id, "Arn"), props.KeyPolicy));
    // A role's trust policy is the resource policy `sts:AssumeRole` is evaluated against.
    each("AWS::IAM::Role", (props, id) =>
      this.#addResourcePolicy(app.attribute(id, "Arn"), props.AssumeRolePolicyDocument),
    );
    each("AWS::Lambda::Permission", (props) => {
      const name = String(props.FunctionName);
      const arn = name.startsWith("arn:")
        ? name
        : app.attribute(app.resources("AWS::Lambda::Function").find(([id]) => app.ref(id) === name)?.[0] ?? "", "Arn");
      const principal = String(props.Principal);
      const conditions: Json = {};
      if (props.SourceArn) conditions.ArnLike = { "aws:SourceArn": props.SourceArn };
      if (props.SourceAccount) conditions.StringEquals = { "aws:SourceAccount": props.SourceAccount };
      this.#addResourcePolicy(arn, {
        Statement: {
          Effect: "Allow",
          Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal },
          Action: props.Action,
          Resource: arn,
          ...(Object.keys(conditions).length > 0 ? { Condition: conditions } : {}),
        },
      });
    });
  }

  /** The identity policy of a role, as one document (minus the statements `without` names). */
  identityPolicy(roleArn: string, without: ReadonlySet<string> = new Set()): Json {
    return {
      Version: "2012-10-17",
      Statement: this.statements.filter((s) => s.roleArn === roleArn && !without.has(s.id)).map((s) => s.statement),
    };
  }

  /** The resource policy that applies to a resource (an S3 object: its bucket's). */
  resourcePolicy(resource: string): Json | undefined {
    const s3 = resource.match(/^arn:aws:s3:::([^/]+)/);
    const key = s3 ? `arn:aws:s3:::${s3[1]}` : resource;
    const kmsAlias = resource.match(/^arn:aws:kms:([^:]+):(\d+):key\/aws-managed-([a-z-]+)$/);
    if (kmsAlias) return awsManagedKeyPolicy(kmsAlias[3] ?? "", kmsAlias[1] ?? "", kmsAlias[2] ?? "");
    const statements = this.#resourcePolicies.get(key);
    return statements ? { Version: "2012-10-17", Statement: statements } : undefined;
  }

  /**
   * Evaluates one request as IAM would.
   * @param without - identity statements left out (the least-privilege test).
   * @throws {Error} when the simulator refuses the request as malformed (unknown action, a resource
   *   of the wrong type for the action): that is a bug of the test's mapping, not a denial.
   */
  evaluate(request: IamRequest, without: ReadonlySet<string> = new Set()): Promise<Decision> {
    // Only the role's own statements can be left out: a request of another principal is unaffected.
    const removed = [...without].filter((id) =>
      this.statements.some((s) => s.id === id && s.roleArn === request.principal),
    );
    const key = JSON.stringify([request.principal, request.action, request.resource, request.context, removed.sort()]);
    let decision = this.#decisions.get(key);
    if (!decision) {
      decision = this.#simulate(request, new Set(removed));
      this.#decisions.set(key, decision);
    }
    return decision;
  }

  async #simulate(request: IamRequest, without: ReadonlySet<string>): Promise<Decision> {
    const isRole = request.principal.startsWith("arn:aws:iam::");
    const resourcePolicy = this.resourcePolicy(request.resource);
    const result = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: { resource: request.resource, accountId: this.app.account },
          contextVariables: {
            "aws:SecureTransport": "true",
            ...(isRole ? { "aws:PrincipalArn": request.principal, "aws:PrincipalAccount": this.app.account } : {}),
            ...request.context,
          },
        },
        identityPolicies: isRole ? [{ name: "role", policy: this.identityPolicy(request.principal, without) }] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    if (result.resultType === "error") {
      throw new Error(`the simulator refused ${request.action} on ${request.resource}: ${result.errors.message}`);
    }
    return result.overallResult as Decision;
  }
}
