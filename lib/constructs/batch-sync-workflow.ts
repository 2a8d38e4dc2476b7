import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Alias } from "aws-cdk-lib/aws-kms";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { BATCH_PREFIXES } from "../../lambdas/core/batch/layout.ts";
import { UNCAUGHT_EXECUTION_STATUSES } from "../../lambdas/core/jobs/execution-ended.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { acknowledgeWildcardResources } from "./nag.ts";
import { VendorSyncFunction } from "./vendor-sync-function.ts";

/** The definition file, deployed with `DefinitionSubstitutions` for its `${…}` placeholders. */
export const BATCH_SYNC_DEFINITION = fileURLToPath(new URL("../../statemachines/batch-sync.asl.json", import.meta.url));

/** Labels of the Distributed Maps in the definition (Map Run child executions are named after them). */
export const DISTRIBUTED_MAP_LABELS = ["Plan", "Apply", "ApplyTombstones"] as const;

export interface BatchSyncWorkflowProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** Uploads under `imports/<vendorId>/` start the workflow; its working files live beside them. */
  readonly importsBucket: IBucket;
  /** Validated vendor configurations (bundled into the functions). */
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
  /**
   * Topic the workflow publishes every finished job on (message attributes `vendorId`, `status`, `workflow`).
   * @default a new topic, encrypted with the AWS managed SNS key, TLS enforced
   */
  readonly jobTopic?: ITopic;
  /**
   * Where the scheduled workflow's pull worker stages large pulls (`pulls/`): the workflow reads their
   * hand-off manifests and parts there, and reads large dropped files from the vendors' file-drop
   * buckets (`channels.fileDrop`).
   * @default no hand-offs: only uploads start the workflow
   */
  readonly archiveBucket?: IBucket;
}

/**
 * The batch workflow (docs/batch-workflow.md): a Standard state machine from `statemachines/batch-sync.asl.json`
 * — prepare → plan (Distributed Map, read-only) → validate → apply (Distributed Map, conditional
 * writes; tombstones last) → commit → notify, with a Catch that marks the job failed — its stage
 * functions, and the EventBridge rule that starts it for each upload under `imports/<vendorId>/`.
 *
 * Default settings: stage functions on the project defaults (`VendorSyncFunction`), 1 GB and up to
 * 4 minutes for the Map children (Express child workflows run at most 5 minutes), 15 minutes for
 * prepare; state machine logs at level ALL without execution data (order data is PII), X-Ray
 * tracing, 24-hour execution timeout; the upload rule's target retries for 2 hours and then, like the
 * starter's failed async invocations, lands in an encrypted dead-letter queue kept 14 days.
 *
 * An execution that ends without reaching its Catch (ABORTED by a cancel's StopExecution or by hand,
 * TIMED_OUT, FAILED where no Catch applies) ends its job through a second rule, on the state
 * machine's "Step Functions Execution Status Change" events, and its function (`executionEnded`);
 * that rule's target retries and dead-letters like the upload rule's, into the same queue.
 */
export class BatchSyncWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly jobTopic: ITopic;
  readonly prepare: VendorSyncFunction;
  readonly plan: VendorSyncFunction;
  readonly validate: VendorSyncFunction;
  readonly apply: VendorSyncFunction;
  readonly commit: VendorSyncFunction;
  readonly fail: VendorSyncFunction;
  /** Starts an execution per upload (execution name: hash of bucket, key and version id). */
  readonly starter: VendorSyncFunction;
  readonly uploadRule: Rule;
  /** Ends the job of an execution that ended outside its Catch (lambdas/batch-execution-ended). */
  readonly executionEnded: VendorSyncFunction;
  /** The state machine's ABORTED, TIMED_OUT and FAILED status changes → {@link executionEnded}. */
  readonly executionEndedRule: Rule;
  /** Upload events that could not start an execution, and execution ends that could not end their job. */
  readonly starterDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: BatchSyncWorkflowProps) {
    super(scope, id);
    const { importsBucket: bucket } = props;
    const fn = (
      name: string,
      entry: string,
      description: string,
      extra: { memorySize?: number; timeout?: Duration; streamsLargeFiles?: boolean },
    ) =>
      new VendorSyncFunction(this, name, {
        entry,
        description,
        vendors: props.vendors,
        logRetention: props.logRetention,
        ...extra,
      });
    const P = BATCH_PREFIXES;
    const mapChild = { memorySize: 1024, timeout: Duration.minutes(4) };

    this.prepare = fn(
      "Prepare",
      "lambdas/batch-prepare/handler.ts",
      "Batch sync: normalise an upload to canonical JSON Lines",
      {
        memorySize: 1024,
        timeout: Duration.minutes(15),
        streamsLargeFiles: true,
      },
    )
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      .bindBucket(bucket, "IMPORTS_BUCKET_NAME", {
        read: [P.uploads],
        // results/: what a handed-over job brings along (`handoff.json`), for commit.
        write: [P.normalised, P.rejects, P.results],
      });
    if (props.archiveBucket) this.#grantHandoffReads(props.archiveBucket, props.vendors);
    this.plan = fn("Plan", "lambdas/batch-plan/handler.ts", "Batch sync: plan a batch of changes (read-only)", mapChild)
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME", { access: "read" })
      .bindBucket(bucket, "IMPORTS_BUCKET_NAME", {
        read: [P.normalised],
        write: [P.changeSets, P.results, P.rejects, P.reports],
      });
    this.validate = fn("Validate", "lambdas/batch-validate/handler.ts", "Batch sync: validate the plan", {
      timeout: Duration.minutes(5),
    }).bindBucket(bucket, "IMPORTS_BUCKET_NAME", {
      read: [P.results, P.reports],
      write: [P.results, P.changeSets, P.reports],
      list: [P.results, P.reports],
    });
    this.apply = fn("Apply", "lambdas/batch-apply/handler.ts", "Batch sync: apply planned changes", mapChild)
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME")
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      .bindBucket(bucket, "IMPORTS_BUCKET_NAME", { read: [P.changeSets, P.results], write: [P.results, P.rejects] });
    this.commit = fn("Commit", "lambdas/batch-commit/handler.ts", "Batch sync: aggregate results and finish the job", {
      timeout: Duration.minutes(5),
    })
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      .bindBucket(bucket, "IMPORTS_BUCKET_NAME", {
        read: [P.results, P.rejects],
        write: [P.rejects],
        list: [P.results, P.rejects],
      });
    this.fail = fn("Fail", "lambdas/batch-fail/handler.ts", "Batch sync: mark a job failed", {
      memorySize: 256,
    }).bindTable(props.syncTable, "SYNC_TABLE_NAME");

    this.jobTopic =
      props.jobTopic ??
      new Topic(this, "JobTopic", {
        displayName: "vendor-sync job notifications",
        masterKey: Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
        enforceSSL: true,
      });
    // Conflicts opened while applying a file go to operators on the same topic as job outcomes.
    this.apply.bindTopic(this.jobTopic, "OPS_TOPIC_ARN");

    const logGroup = new LogGroup(this, "StateMachineLogs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, "StateMachine", {
      stateMachineType: StateMachineType.STANDARD,
      // Inline (not an S3 asset), so the template carries the definition that was tested.
      definitionBody: DefinitionBody.fromString(readFileSync(BATCH_SYNC_DEFINITION, "utf8")),
      definitionSubstitutions: {
        PrepareFunctionArn: this.prepare.function.functionArn,
        PlanFunctionArn: this.plan.function.functionArn,
        ValidateFunctionArn: this.validate.function.functionArn,
        ApplyFunctionArn: this.apply.function.functionArn,
        CommitFunctionArn: this.commit.function.functionArn,
        FailFunctionArn: this.fail.function.functionArn,
        ImportsBucketName: bucket.bucketName,
        JobTopicArn: this.jobTopic.topicArn,
      },
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      timeout: Duration.hours(24),
    });
    Validations.of(this.stateMachine).acknowledge({
      id: "CloudFormation-Validate::E1029",
      reason:
        "The dollar-brace placeholders in the definition are Step Functions DefinitionSubstitutions (function ARNs, bucket, topic), replaced by CloudFormation through the DefinitionSubstitutions property, not Fn::Sub parameters.",
    });
    this.#grantStateMachine(bucket);
    this.executionEnded = fn(
      "ExecutionEnded",
      "lambdas/batch-execution-ended/handler.ts",
      "Batch sync: end the job of an execution that ended outside its Catch",
      { memorySize: 512, timeout: Duration.minutes(5) },
    )
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      // Which changes of apply parts that never reported were written (BatchGetItem, consistent).
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME", { access: "read" })
      .bindBucket(bucket, "IMPORTS_BUCKET_NAME", {
        read: [P.results, P.changeSets, P.rejects],
        write: [P.rejects],
        list: [P.results, P.rejects],
      })
      .bindTopic(this.jobTopic, "JOBS_TOPIC_ARN");

    this.starterDeadLetterQueue = new Queue(this, "StarterDeadLetterQueue", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.starterDeadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the dead-letter queue of the upload and execution-ended rules' targets and of the starter's async invocations.",
    });
    this.starter = fn("Starter", "lambdas/batch-start/handler.ts", "Batch sync: start the workflow for an upload", {
      memorySize: 256,
    });
    this.starter.function.addEnvironment("BATCH_STATE_MACHINE_ARN", this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(this.starter.role);
    const uploads = [bucket.arnForObjects(`${P.uploads}*`)];
    this.starter.role.addToPolicy(
      new PolicyStatement({ actions: ["s3:GetObjectTagging", "s3:GetObjectVersionTagging"], resources: uploads }),
    );
    acknowledgeWildcardResources(
      this.starter.role,
      uploads,
      "The starter reads the tags (full snapshot, dry run, as-of) of whichever upload under imports/ started it.",
    );
    this.starter.function.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.starterDeadLetterQueue),
    });
    this.uploadRule = new Rule(this, "UploadRule", {
      description: "Starts the batch workflow for each file uploaded under imports/<vendorId>/",
      eventPattern: {
        source: ["aws.s3"],
        detailType: ["Object Created"],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: [{ prefix: P.uploads }] } },
      },
      targets: [
        new LambdaFunction(this.starter.function, {
          deadLetterQueue: this.starterDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    this.executionEndedRule = new Rule(this, "ExecutionEndedRule", {
      description: "Ends the job of a batch execution that ended ABORTED, TIMED_OUT or FAILED outside its Catch",
      eventPattern: {
        source: ["aws.states"],
        detailType: ["Step Functions Execution Status Change"],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: [...UNCAUGHT_EXECUTION_STATUSES] },
      },
      targets: [
        new LambdaFunction(this.executionEnded.function, {
          deadLetterQueue: this.starterDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }

  /**
   * What the definition needs: invoke its functions (exact ARNs), read Map items and write Map
   * results under their prefixes, publish job notifications, and — for Distributed Map — start its
   * own child executions, describe and stop them, and redrive Map Runs.
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html
   */
  #grantStateMachine(bucket: IBucket): void {
    const sm = this.stateMachine;
    const stack = Stack.of(this);
    sm.addToRolePolicy(
      new PolicyStatement({
        actions: ["lambda:InvokeFunction"],
        resources: [this.prepare, this.plan, this.validate, this.apply, this.commit, this.fail].map(
          (f) => f.function.functionArn,
        ),
      }),
    );
    const itemReader = [
      bucket.arnForObjects(`${BATCH_PREFIXES.normalised}*`),
      bucket.arnForObjects(`${BATCH_PREFIXES.changeSets}*`),
    ];
    const resultWriter = [bucket.arnForObjects(`${BATCH_PREFIXES.results}*`)];
    sm.addToRolePolicy(new PolicyStatement({ actions: ["s3:GetObject"], resources: itemReader }));
    sm.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
        resources: resultWriter,
      }),
    );
    // The topic uses the AWS managed SNS key, whose key policy admits the account's SNS publishers.
    sm.addToRolePolicy(new PolicyStatement({ actions: ["sns:Publish"], resources: [this.jobTopic.topicArn] }));
    acknowledgeWildcardResources(
      sm.role,
      [...itemReader, ...resultWriter],
      "The Distributed Maps read each job's normalised file and manifests and write Map Run results under per-job keys; grants are limited to those prefixes.",
    );
    Validations.of(sm.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "CloudWatch Logs vended log delivery (logs:*LogDelivery, resource policies) and X-Ray trace segments do not support resource-level permissions; CDK adds these for state machine logging and tracing.",
    });

    // As CDK's DistributedMap does for typed states: a policy of its own, so the state machine does
    // not depend on a statement that names it.
    const distributedMap = new Policy(sm, "DistributedMapPolicy");
    sm.role.attachInlinePolicy(distributedMap);
    const executions = (suffix: string) =>
      stack.formatArn({
        service: "states",
        resource: "execution",
        resourceName: `${sm.stateMachineName}${suffix}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const ownExecutions = executions("");
    const mapRunExecutions = DISTRIBUTED_MAP_LABELS.map((label) => executions(`/${label}`));
    distributedMap.addStatements(
      new PolicyStatement({ actions: ["states:StartExecution"], resources: [sm.stateMachineArn] }),
      new PolicyStatement({
        actions: ["states:DescribeExecution", "states:StopExecution"],
        resources: [ownExecutions],
      }),
      new PolicyStatement({ actions: ["states:RedriveExecution"], resources: mapRunExecutions }),
    );
    acknowledgeWildcardResources(
      distributedMap,
      [ownExecutions, ...mapRunExecutions],
      "Distributed Map starts, describes, stops and redrives child executions of this state machine, whose names are generated at run time.",
    );
  }

  /** Prepare reads a hand-off's staged parts (archive `pulls/`) and large dropped files (read-only). */
  #grantHandoffReads(archiveBucket: IBucket, vendors: readonly VendorConfig[]): void {
    const role = this.prepare.role;
    role.addToPolicy(
      new PolicyStatement({ actions: ["s3:GetObject"], resources: [archiveBucket.arnForObjects("pulls/*")] }),
    );
    archiveBucket.encryptionKey?.grantDecrypt(role);
    const resources = [archiveBucket.arnForObjects("pulls/*")];
    const stack = Stack.of(this);
    for (const vendor of vendors) {
      const drop = vendor.enabled ? vendor.channels.fileDrop : undefined;
      if (!drop) continue;
      const objects = `${stack.formatArn({ service: "s3", region: "", account: "", resource: drop.bucket })}/${drop.prefix}*`;
      role.addToPolicy(new PolicyStatement({ actions: ["s3:GetObject"], resources: [objects] }));
      resources.push(objects);
    }
    acknowledgeWildcardResources(
      role,
      resources,
      "Hand-off parts and dropped files are named per job and at drop time; GetObject only, limited to those prefixes.",
    );
  }
}
