import { Arn, ArnFormat, CfnOutput, Duration, Stack } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Alias } from "aws-cdk-lib/aws-kms";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { Schedule, ScheduleExpression, TimeWindow } from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { SYNC_TABLE } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { JOB_ROUTES } from "../../lambdas/admin-api/admin-api.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import type { AdminApi } from "./admin-api.ts";
import { acknowledgeWildcardResources } from "./nag.ts";
import { SyncQueue } from "./sync-queue.ts";
import { acknowledgeInvokeVersions, schedulerRole, VendorSchedules } from "./vendor-schedules.ts";
import { VendorSyncFunction } from "./vendor-sync-function.ts";

export interface ScheduledSyncProps {
  readonly recordsTable: ITableV2;
  readonly syncTable: ITableV2;
  /** Large pulls are staged under `pulls/`, rejects kept under `rejects/`. */
  readonly archiveBucket: IBucket;
  readonly vendors: readonly VendorConfig[];
  readonly logRetention: RetentionDays;
  /** The admin API the job routes are added to. */
  readonly adminApi: AdminApi;
  /**
   * The batch workflow large pulls and large dropped files are handed to.
   * @default none: the pull worker applies every pull itself, however large
   */
  readonly batchStateMachine?: IStateMachine;
  /** Pull worker timeout; the sync queue's visibility timeout is 6× it. @default 5 minutes */
  readonly workerTimeout?: Duration;
  /** Most pull workers at once (protects vendors' rate limits and DynamoDB). @default 5 */
  readonly workerMaxConcurrency?: number;
  /** Watchdog period. @default 5 minutes */
  readonly watchdogEvery?: Duration;
}

/**
 * The scheduled and on-demand workflows (docs/scheduled-sync.md): per-vendor schedules → the on-demand function
 * (job + lock) → the standard-priority queue (DLQ) → the pull worker (connector, write path,
 * checkpoints and follow-ups, hand-off to the batch workflow) → the jobs topic; the admin API's job
 * routes and the directly invokable on-demand function; a watchdog on a schedule.
 *
 * Default settings: worker 5 minutes, 1024 MB, batches of 1, maximum concurrency 5; queue visibility
 * 30 minutes, maxReceiveCount 8; watchdog every 5 minutes; jobs topic encrypted with the AWS managed
 * SNS key, TLS enforced.
 */
export class ScheduledSync extends Construct {
  /** The standard-priority queue and its DLQ. */
  readonly queue: SyncQueue;
  readonly worker: VendorSyncFunction;
  /** The directly invokable on-demand function (also the schedules' target). */
  readonly onDemand: VendorSyncFunction;
  /** Serves the admin API's job routes. */
  readonly adminJobs: VendorSyncFunction;
  readonly watchdog: VendorSyncFunction;
  /** Job completion and failure notifications. */
  readonly jobsTopic: Topic;
  readonly schedules: VendorSchedules;

  constructor(scope: Construct, id: string, props: ScheduledSyncProps) {
    super(scope, id);
    const workerTimeout = props.workerTimeout ?? Duration.minutes(5);
    this.queue = new SyncQueue(this, "Queue", { consumerTimeout: workerTimeout });
    this.jobsTopic = new Topic(this, "JobsTopic", {
      displayName: "Vendor sync: jobs finished",
      masterKey: Alias.fromAliasName(this, "SnsKey", "alias/aws/sns"),
      enforceSSL: true,
    });
    const common = { vendors: props.vendors, logRetention: props.logRetention };
    const syncIndex = { indexes: [SYNC_TABLE.byVendorIndex] };

    this.worker = new VendorSyncFunction(this, "Worker", {
      ...common,
      entry: "lambdas/pull-vendor/handler.ts",
      description: "Pulls vendor APIs and file drops for sync jobs, through the shared write path",
      timeout: workerTimeout,
      memorySize: 1024,
      streamsLargeFiles: true,
    })
      .bindTable(props.recordsTable, "RECORDS_TABLE_NAME")
      .bindTable(props.syncTable, "SYNC_TABLE_NAME")
      // Staged parts are written here and read by the batch workflow's prepare, never by the worker.
      .bindBucket(props.archiveBucket, "ARCHIVE_BUCKET_NAME", { write: ["pulls/", "rejects/"] })
      .bindQueueSend(this.queue.queue, "SYNC_QUEUE_URL")
      .bindQueueSend(this.queue.deadLetterQueue, "SYNC_DLQ_URL")
      .bindTopic(this.jobsTopic, "JOBS_TOPIC_ARN");
    this.queue.queue.grantConsumeMessages(this.worker.role);
    this.worker.function.addEventSource(
      new SqsEventSource(this.queue.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.workerMaxConcurrency ?? 5,
      }),
    );
    this.#grantVendorAccess(props.vendors);
    if (props.batchStateMachine) this.handOffLargeSyncsTo(props.batchStateMachine);

    const jobsFunction = (fnId: string, entry: string, description: string) =>
      new VendorSyncFunction(this, fnId, { ...common, entry, description, memorySize: 256 })
        .bindTable(props.syncTable, "SYNC_TABLE_NAME", syncIndex)
        .bindQueueSend(this.queue.queue, "SYNC_QUEUE_URL")
        .bindTopic(this.jobsTopic, "JOBS_TOPIC_ARN");
    this.onDemand = jobsFunction(
      "OnDemand",
      "lambdas/sync-jobs/handler.ts",
      "On-demand sync jobs by direct invoke (start, get, list, cancel); the schedules' target",
    );
    this.adminJobs = jobsFunction("AdminJobs", "lambdas/admin-api/handler.ts", "Admin API job routes (IAM auth)");
    props.adminApi.addRoutes("Jobs", Object.values(JOB_ROUTES), this.adminJobs.function);

    this.watchdog = new VendorSyncFunction(this, "Watchdog", {
      ...common,
      entry: "lambdas/watchdog/handler.ts",
      description: "Fails sync jobs whose heartbeat stopped and frees their vendors",
      memorySize: 256,
      timeout: Duration.minutes(1),
    })
      .bindTable(props.syncTable, "SYNC_TABLE_NAME", syncIndex)
      .bindTopic(this.jobsTopic, "JOBS_TOPIC_ARN");

    this.schedules = new VendorSchedules(this, "Schedules", { target: this.onDemand.function, vendors: props.vendors });
    const watchdogRole = schedulerRole(this, "WatchdogScheduleRole", this.schedules.group);
    new Schedule(this, "WatchdogSchedule", {
      description: "Vendor sync watchdog",
      scheduleGroup: this.schedules.group,
      schedule: ScheduleExpression.rate(props.watchdogEvery ?? Duration.minutes(5)),
      timeWindow: TimeWindow.off(),
      target: new LambdaInvoke(this.watchdog.function, {
        role: watchdogRole,
        deadLetterQueue: this.schedules.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
      }),
    });
    acknowledgeInvokeVersions(watchdogRole, this.watchdog.function);

    const output = new CfnOutput(this, "OnDemandFunctionName", {
      value: this.onDemand.function.functionName,
      description: "Invoke with { operation: startSync | getJob | listJobs | cancelJob, … } (vendor-sync --target aws)",
    });
    output.overrideLogicalId("OnDemandFunctionName");
    const topicOutput = new CfnOutput(this, "JobsTopicArn", {
      value: this.jobsTopic.topicArn,
      description: "Subscribe for job completion and failure notifications",
    });
    topicOutput.overrideLogicalId("JobsTopicArn");
  }

  /** Pull credentials (by secret name) and file-drop buckets (list and read under the prefix), from the vendor configs. */
  /**
   * Lets the pull worker hand large pulls and large dropped files to the batch workflow: start
   * executions of it (named after the job) and know its ARN. The workflow continues the job (its
   * `handoff` input) and needs read access to the staged parts (`BatchSyncWorkflowProps.archiveBucket`).
   */
  handOffLargeSyncsTo(stateMachine: IStateMachine): void {
    stateMachine.grantStartExecution(this.worker.role);
    this.worker.function.addEnvironment("BATCH_STATE_MACHINE_ARN", stateMachine.stateMachineArn);
    this.#cancelBatchRunsOf(stateMachine);
  }

  /**
   * Lets the functions that cancel jobs (on-demand, admin API) stop a batch job's execution
   * (StopExecution on this state machine's executions only): its ABORTED status event then ends the
   * job CANCELLED (`BatchSyncWorkflow.executionEndedRule`).
   */
  #cancelBatchRunsOf(stateMachine: IStateMachine): void {
    const stack = Stack.of(this);
    const { resourceName } = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
    const executions = stack.formatArn({
      service: "states",
      resource: "execution",
      resourceName: `${resourceName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    for (const fn of [this.onDemand, this.adminJobs]) {
      fn.function.addEnvironment("BATCH_STATE_MACHINE_ARN", stateMachine.stateMachineArn);
      fn.role.addToPolicy(new PolicyStatement({ actions: ["states:StopExecution"], resources: [executions] }));
      acknowledgeWildcardResources(
        fn.role,
        [executions],
        "A cancel stops the cancelled job's execution of the batch state machine, named per upload or job at run time; StopExecution only, on that state machine's executions.",
      );
    }
  }

  #grantVendorAccess(vendors: readonly VendorConfig[]): void {
    const stack = Stack.of(this);
    for (const vendor of vendors) {
      if (!vendor.enabled) continue;
      const secretName = vendor.channels.pull?.secretName;
      if (secretName) {
        // Created by the operator (the vendor issues it), so referenced by name: `<name>-??????`.
        Secret.fromSecretNameV2(this, `PullSecret-${vendor.id}`, secretName).grantRead(this.worker.role);
      }
      const drop = vendor.channels.fileDrop;
      if (drop) {
        const bucketArn = stack.formatArn({ service: "s3", region: "", account: "", resource: drop.bucket });
        this.worker.role.addToPolicy(
          new PolicyStatement({
            actions: ["s3:ListBucket"],
            resources: [bucketArn],
            conditions: { StringLike: { "s3:prefix": [`${drop.prefix}*`] } },
          }),
        );
        this.worker.role.addToPolicy(
          new PolicyStatement({ actions: ["s3:GetObject"], resources: [`${bucketArn}/${drop.prefix}*`] }),
        );
        acknowledgeWildcardResources(
          this.worker.role,
          [`${bucketArn}/${drop.prefix}*`],
          `${vendor.id} drops files under ${drop.prefix} with names chosen at drop time; GetObject is limited to that prefix.`,
        );
      }
    }
  }
}
