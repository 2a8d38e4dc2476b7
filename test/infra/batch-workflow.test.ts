import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { jobKeys } from "../../lambdas/core/batch/layout.ts";
import { APPLY_BATCH, PLAN_BATCH } from "../../lambdas/core/batch/model.ts";
import { synthesizedStacks } from "../support/cli-synth.ts";
import { type AslJson, placeholder } from "../support/state-machine.ts";

let stateful: Template;
let stateless: Template;
/** The state machine's definition as deployed (substitutions still as placeholders). */
let definition: { States: Record<string, Record<string, unknown>> };
let substitutions: Record<string, unknown>;
let stateMachineLogicalId: string;

beforeAll(async () => {
  ({ stateful, stateless } = await synthesizedStacks());
  const [id, machine] = Object.entries(stateless.findResources("AWS::StepFunctions::StateMachine"))[0] as [
    string,
    { Properties: { DefinitionString: string; DefinitionSubstitutions: Record<string, unknown> } },
  ];
  stateMachineLogicalId = id;
  definition = JSON.parse(machine.Properties.DefinitionString);
  substitutions = machine.Properties.DefinitionSubstitutions;
}, 0);

const policies = () =>
  Object.values(stateless.findResources("AWS::IAM::Policy")) as {
    Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] }; Roles: unknown[] };
  }[];
const statementsWith = (action: string) =>
  policies().flatMap((p) =>
    p.Properties.PolicyDocument.Statement.filter((s) => [s.Action].flat().includes(action)).map((s) => ({
      ...s,
      roles: p.Properties.Roles,
    })),
  );

describe("imports bucket (stateful stack)", () => {
  it("is encrypted, versioned, private, TLS-only and logged", () => {
    stateful.hasResourceProperties("AWS::S3::Bucket", {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
      },
      VersioningConfiguration: { Status: "Enabled" },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: "imports-bucket/" },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    stateful.hasResourceProperties("AWS::S3::BucketPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("expires normalised files, change sets, results, reports and rejects by prefix", () => {
    const bucket = (
      Object.values(
        stateful.findResources("AWS::S3::Bucket", { Properties: { VersioningConfiguration: { Status: "Enabled" } } }),
      ) as { Properties: { LifecycleConfiguration: { Rules: { Prefix?: string; ExpirationInDays?: number }[] } } }[]
    ).find((b) => b.Properties.LifecycleConfiguration.Rules.some((rule) => rule.Prefix === "imports/"));
    const byPrefix = Object.fromEntries(
      (bucket?.Properties.LifecycleConfiguration.Rules ?? []).map((rule) => [
        rule.Prefix ?? "*",
        rule.ExpirationInDays,
      ]),
    );
    expect(byPrefix).toMatchObject({
      "imports/": 365,
      "normalised/": 7,
      "changesets/": 14,
      "results/": 30,
      "reports/": 30,
      "rejects/": 90,
    });
  });

  it("is retained with the stack's data", () => {
    stateful.hasResource("AWS::S3::Bucket", {
      DeletionPolicy: "Retain",
      Properties: { VersioningConfiguration: { Status: "Enabled" } },
    });
  });
});

describe("batch state machine", () => {
  it("is a Standard workflow with logging (no execution data) and tracing", () => {
    stateless.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
    });
  });

  it("runs plan and apply as Distributed Maps over S3 JSON Lines, batched under the 256 KiB child input", () => {
    const plan = definition.States.Plan as AslJson;
    expect(plan.ItemProcessor.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "EXPRESS" });
    expect(plan.ItemReader).toEqual({
      Resource: "arn:aws:states:::s3:getObject",
      ReaderConfig: { InputType: "JSONL" },
      Parameters: { Bucket: placeholder("ImportsBucketName"), "Key.$": "$.prepared.normalisedKey" },
    });
    expect(plan.ItemBatcher).toMatchObject({
      MaxItemsPerBatch: PLAN_BATCH.maxItems,
      MaxInputBytesPerBatch: PLAN_BATCH.maxInputBytes,
    });
    expect(plan.ItemBatcher.MaxInputBytesPerBatch).toBeLessThanOrEqual(256 * 1024);
    for (const name of ["Apply", "ApplyTombstones"]) {
      const apply = definition.States[name] as AslJson;
      expect(apply.ItemProcessor.ProcessorConfig.Mode).toBe("DISTRIBUTED");
      expect(apply.ItemReader.ReaderConfig).toEqual({ InputType: "JSONL" });
      expect(apply.ItemBatcher).toMatchObject({ MaxItemsPerBatch: APPLY_BATCH.maxItems });
    }
  });

  it("takes MaxConcurrency and ToleratedFailurePercentage from the execution input and renders ResultWriter", () => {
    for (const name of ["Plan", "Apply", "ApplyTombstones"]) {
      const map = definition.States[name] as AslJson;
      expect(map.MaxConcurrencyPath).toBe("$.config.maxConcurrency");
      expect(map.ToleratedFailurePercentagePath).toBe("$.config.toleratedFailurePercent");
      expect(map.ResultWriter).toEqual({
        Resource: "arn:aws:states:::s3:putObject",
        Parameters: { Bucket: placeholder("ImportsBucketName"), "Prefix.$": "$.prepared.mapRunsPrefix" },
        WriterConfig: { OutputType: "JSONL", Transformation: "COMPACT" },
      });
    }
  });

  it("catches every stage into MarkFailed, which notifies", () => {
    for (const name of ["Prepare", "Plan", "PlanTombstones", "Validate", "Apply", "ApplyTombstones", "Commit"]) {
      expect(definition.States[name]?.Catch, name).toEqual([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "MarkFailed" },
      ]);
    }
    expect(definition.States.MarkFailed?.Next).toBe("Notify");
    expect(definition.States.Notify?.Resource).toBe("arn:aws:states:::sns:publish");
  });

  it("substitutes every placeholder of the definition", () => {
    const placeholders = new Set(
      [...JSON.stringify(definition).matchAll(/\$\{([A-Za-z]+)\}/g)].map((match) => match[1] as string),
    );
    expect(new Set(Object.keys(substitutions))).toEqual(placeholders);
  });

  it("has the IAM Distributed Map needs: StartExecution on itself, Describe/StopExecution on its executions", () => {
    const start = statementsWith("states:StartExecution").find(
      (s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: stateMachineLogicalId }),
    );
    expect(start, "states:StartExecution on the state machine").toBeDefined();
    const describe = statementsWith("states:DescribeExecution");
    expect(describe).toHaveLength(1);
    expect(describe[0]?.Action).toEqual(["states:DescribeExecution", "states:StopExecution"]);
    expect(JSON.stringify(describe[0]?.Resource)).toContain(
      `":execution:",{"Fn::GetAtt":["${stateMachineLogicalId}","Name"]},":*"`,
    );
    // Attached to the state machine's own role.
    const [role] = Object.keys(
      stateless.findResources("AWS::IAM::Role", {
        Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: "states.amazonaws.com" } }] } },
      }),
    );
    expect(describe[0]?.roles).toEqual([{ Ref: role }]);
  });

  it("lets the state machine invoke exactly its stage functions, and no function reaches for s3:*", () => {
    const [, machine] = Object.entries(stateless.findResources("AWS::StepFunctions::StateMachine"))[0] ?? [];
    const machineRole = (machine as { Properties: { RoleArn: { "Fn::GetAtt": [string] } } }).Properties.RoleArn[
      "Fn::GetAtt"
    ][0];
    const invoke = statementsWith("lambda:InvokeFunction").filter((s) =>
      (s.roles as { Ref: string }[]).some((r) => r.Ref === machineRole),
    );
    expect(invoke).toHaveLength(1);
    expect(invoke[0]?.Resource).toHaveLength(6);
    expect(JSON.stringify(policies())).not.toMatch(/"s3:\*"|"states:\*"|"lambda:\*"/);
  });
});

describe("upload trigger", () => {
  it("starts the workflow from EventBridge Object Created under imports/, with retries and a dead-letter queue", () => {
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { object: { key: [{ prefix: "imports/" }] } },
      },
      Targets: [
        Match.objectLike({
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ],
    });
    stateless.hasResourceProperties("AWS::Lambda::Function", {
      Environment: { Variables: { BATCH_STATE_MACHINE_ARN: { Ref: stateMachineLogicalId } } },
    });
  });
});

type LifecycleRule = {
  Id?: string;
  Prefix?: string;
  Status: string;
  ExpirationInDays?: number;
  NoncurrentVersionExpiration?: unknown;
};
/** The lifecycle rules of the bucket that has a rule for `marker` (`imports/`: the imports bucket, `webhooks/`: the archive). */
const lifecycleOf = (marker: "imports/" | "webhooks/") =>
  (
    Object.values(stateful.findResources("AWS::S3::Bucket")) as {
      Properties: { LifecycleConfiguration?: { Rules: LifecycleRule[] } };
    }[]
  )
    .map((bucket) => bucket.Properties.LifecycleConfiguration?.Rules ?? [])
    .find((rules) => rules.some((rule) => rule.Prefix === marker)) ?? [];

describe("working files of interrupted jobs expire; what the conflict rules fold over does not", () => {
  it("expires every working prefix of a batch job (the imports bucket) and a pull's staged parts (the archive's pulls/)", () => {
    const expiring = (rules: LifecycleRule[], key: string) =>
      rules.some((r) => r.Status === "Enabled" && r.ExpirationInDays !== undefined && key.startsWith(r.Prefix ?? ""));
    // The keys a run that never commits leaves behind (the sandbox removes them; on AWS the rules do).
    const keys = jobKeys("canonical", "01JOB");
    for (const prefix of keys.workPrefixes) expect(expiring(lifecycleOf("imports/"), `${prefix}part.jsonl`)).toBe(true);
    expect(expiring(lifecycleOf("imports/"), keys.rejects)).toBe(true);
    expect(expiring(lifecycleOf("webhooks/"), "pulls/canonical/01JOB/part-0001.jsonl")).toBe(true);
  });

  it("expires current objects only under prefixes (no bucket-wide expiry), and keeps the records (no TTL on the records table)", () => {
    for (const bucket of ["imports/", "webhooks/"] as const) {
      const rules = lifecycleOf(bucket);
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules.filter((r) => r.ExpirationInDays !== undefined)) {
        expect(rule.Prefix, `${bucket} rule ${rule.Id}`).toMatch(/^[a-z-]+\/$/);
      }
    }
    // Records carry what the rules fold over (tombstones, remembered changes, restamps): they never expire.
    const tables = Object.entries(stateful.findResources("AWS::DynamoDB::GlobalTable"));
    const records = tables.find(([id]) => id.startsWith("Records"));
    expect(records, "the records table").toBeDefined();
    expect(
      (records?.[1] as { Properties?: Record<string, unknown> } | undefined)?.Properties?.TimeToLiveSpecification,
    ).toBeUndefined();
  });
});

describe("executions that end outside their Catch", () => {
  it("routes the state machine's ABORTED, TIMED_OUT and FAILED status changes to the execution-ended function, with retries and a dead-letter queue", () => {
    const [functionId] = Object.entries(stateless.findResources("AWS::Lambda::Function")).find(
      ([, fn]) =>
        (fn as { Metadata?: Record<string, string> }).Metadata?.["vendor-sync:entry"] ===
        "lambdas/batch-execution-ended/handler.ts",
    ) ?? [undefined];
    expect(functionId).toBeDefined();
    stateless.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        detail: { stateMachineArn: [{ Ref: stateMachineLogicalId }], status: ["ABORTED", "TIMED_OUT", "FAILED"] },
      },
      Targets: [
        Match.objectLike({
          Arn: { "Fn::GetAtt": [functionId, "Arn"] },
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ],
    });
  });

  it("lets the functions that cancel jobs stop only the batch state machine's executions", () => {
    const stops = statementsWith("states:StopExecution").filter((s) => s.Action === "states:StopExecution");
    // The on-demand function and the admin API's job routes.
    expect(stops).toHaveLength(2);
    for (const stop of stops) {
      expect(JSON.stringify(stop.Resource)).toMatch(
        /:execution:",\{"Fn::Select":\[6,\{"Fn::Split":\[":",\{"Ref":"[^"]+"\}\]\}\]\},":\*"/,
      );
      expect(JSON.stringify(stop.Resource)).toContain(`{"Ref":"${stateMachineLogicalId}"}`);
    }
  });
});
