import { ArnFormat, Duration, RemovalPolicy, Stack, Stage } from "aws-cdk-lib";
import type { IRestApi } from "aws-cdk-lib/aws-apigateway";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  AlarmRule,
  AlarmState,
  AlarmStatusWidget,
  ComparisonOperator,
  CompositeAlarm,
  type Dashboard,
  type IAlarm,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { type IFunction, Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import {
  type AlarmWithAnnotation,
  type CustomMetricGroup,
  DefaultDashboardFactory,
  MonitoringFacade,
  NoopAlarmActionStrategy,
  SnsAlarmActionStrategy,
} from "cdk-monitoring-constructs";
import { Construct, type IConstruct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import {
  ERROR_METRIC,
  JOB_STATUS_METRIC,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
  metricDimensions,
  OUTCOME_METRIC,
} from "../../lambdas/runtime/metric-names.ts";
import { FRESHNESS_INTERVAL } from "./freshness-monitor.ts";

/** A queue and its dead-letter queue, watched together. */
export interface MonitoredQueue {
  /** The queue consumers read. */
  readonly queue: IQueue;
  /** Its dead-letter queue. */
  readonly deadLetterQueue: IQueue;
  /** Short name for alarm names and the dashboard (`RealTime`, `Jobs`). Letters, digits and dashes. */
  readonly name: string;
  /** Backlog alarm: the oldest message is older than this. @default Duration.minutes(15) */
  readonly maxMessageAge?: Duration;
  /** Backlog alarm: more messages than this wait to be received. @default 1000 */
  readonly maxMessagesVisible?: number;
}

/** A dead-letter queue with no source queue of its own: an AWS service sends it what it could not deliver. */
export interface MonitoredDeadLetterQueue {
  readonly deadLetterQueue: IQueue;
  /** Short name for alarm names and the dashboard (`Schedules`, `BatchStarter`). Letters, digits and dashes. */
  readonly name: string;
  /** What sends to it, for the alarm description ("EventBridge Scheduler", "the batch starter"). */
  readonly sender: string;
}

/** Runbook pages in `docs/runbooks/`, one per alarm. */
export const RUNBOOKS = {
  syncFailures: "sync-failures",
  errorRate: "error-rate",
  vendorStale: "vendor-stale",
  vendorPaused: "vendor-paused",
  configurationFault: "configuration-fault",
  syncDuration: "sync-duration-p95",
  queueMessageAge: "queue-message-age",
  queueMessagesVisible: "queue-messages-visible",
  dlqNotEmpty: "dlq-not-empty",
  dlqMessagesArrived: "dlq-messages-arrived",
  functionDuration: "function-duration-p95",
  api5xx: "api-5xx",
  stateMachineFailed: "state-machine-failed",
  stateMachineTimedOut: "state-machine-timed-out",
} as const;

export interface VendorSyncMonitoringProps {
  /**
   * Vendors to watch: per enabled vendor, sync failures, error rate, job duration and staleness
   * (from its `freshnessSloMinutes`; needs the `FreshnessMonitor` publishing). Disabled vendors get none.
   * @default []
   */
  readonly vendors?: readonly VendorConfig[];
  /** Functions to watch (duration p95 against their timeout). @default [] */
  readonly functions?: readonly IFunction[];
  /** Queues with their DLQs (backlog, DLQ not empty, messages arriving in the DLQ). @default [] */
  readonly queues?: readonly MonitoredQueue[];
  /**
   * Dead-letter queues of AWS services' deliveries (a schedule's target, an event rule's target, a
   * function's failed async invocations): not empty, and messages arriving. @default []
   */
  readonly deadLetterQueues?: readonly MonitoredDeadLetterQueue[];
  /** State machines (failed and timed-out executions). @default [] */
  readonly stateMachines?: readonly IStateMachine[];
  /** The webhook/admin API (5xx responses). @default no API alarms */
  readonly api?: IRestApi | IHttpApi;
  /**
   * Topic every alarm notifies (on ALARM and on OK). Give one only if CloudWatch may publish to it
   * (and use its KMS key, when encrypted).
   * @default a new topic, encrypted with a customer managed key CloudWatch may use, TLS enforced
   */
  readonly alarmTopic?: ITopic;
  /** E-mail addresses subscribed to the alarm topic (stage config `alarmEmails`). @default [] */
  readonly alarmEmails?: readonly string[];
  /**
   * Prefix of runbook links in alarm descriptions: an alarm links `<runbookBaseUrl><page>.md`.
   * Point it at the rendered docs (for example a repository's blob URL ending in `/docs/runbooks/`).
   * @default "docs/runbooks/"
   */
  readonly runbookBaseUrl?: string;
  /** A vendor's job duration p95 (over an hour) above this alarms. @default Duration.minutes(30) */
  readonly syncDurationP95Threshold?: Duration;
  /**
   * A function's duration p95 above this share of its timeout alarms, in percent. Functions not built
   * in this app count with Lambda's default timeout (3 s).
   * @default 80
   */
  readonly functionDurationP95PercentOfTimeout?: number;
  /** The error-rate alarm judges a vendor only in 5-minute periods with at least this many changes. @default 20 */
  readonly errorRateMinChanges?: number;
  /** Queue backlog alarm defaults, overridden per queue. @default 15 minutes and 1000 messages */
  readonly queueDefaults?: Pick<MonitoredQueue, "maxMessageAge" | "maxMessagesVisible">;
  /** @default the stack name */
  readonly dashboardName?: string;
}

/** The alarms created for one vendor. */
export interface VendorAlarms {
  /** `JobsFailed` > 0 in 5 minutes. Notifies. */
  readonly syncFailures: IAlarm;
  /** (rejected + failed) / received above the vendor's `toleratedRejectedPercent`. Notifies. */
  readonly errorRate: IAlarm;
  /** `SyncDuration` p95 over an hour above the threshold. Notifies. */
  readonly syncDuration: IAlarm;
  /** Freshness over the SLO, or missing (silence). No actions: feeds {@link stale}. */
  readonly freshnessBreached: IAlarm;
  /** The vendor was paused within the last 15 minutes. No actions: silences {@link stale}. */
  readonly paused: IAlarm;
  /** Stale and not paused (composite). Notifies. */
  readonly stale: IAlarm;
  /** `ConfigurationFaults` > 0 in 5 minutes: webhook deliveries answered 503 for our configuration. Notifies. Vendors with a webhook channel only. */
  readonly configurationFault?: IAlarm;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Monitoring for Advanced Vendor Sync, in one facade (cdk-monitoring-constructs' `MonitoringFacade`):
 * one SNS alarm topic, the alarms of docs/runbooks/README.md — each with a deliberate `TreatMissingData` and a
 * runbook link — and one CloudWatch dashboard. Every list is optional, so it works before every
 * workflow exists; `monitorQueue`, `monitorFunction`, `monitorStateMachine` and `monitorApi` add more
 * later.
 *
 * Default settings: a new alarm topic encrypted with a customer managed KMS key (rotation on; the key
 * policy lets CloudWatch alarms use it, which the AWS managed `alias/aws/sns` key does not), TLS-only
 * topic policy, alarms notify on ALARM and on OK, 5-minute periods.
 *
 * @see ../../docs/runbooks/README.md
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export class VendorSyncMonitoring extends Construct {
  /** The topic every alarm notifies. */
  readonly alarmTopic: ITopic;
  /** The key encrypting the alarm topic, when this construct created the topic. */
  readonly alarmTopicKey: Key | undefined;
  /** The cdk-monitoring-constructs facade (add more monitoring through it). */
  readonly facade: MonitoringFacade;
  /** The one dashboard (named after the stack unless `dashboardName` says otherwise). */
  readonly dashboard: Dashboard;
  /** Alarms per enabled vendor id. */
  readonly vendorAlarms: ReadonlyMap<string, VendorAlarms>;

  readonly #prefix: string;
  readonly #runbookBase: string;
  readonly #props: VendorSyncMonitoringProps;
  readonly #notify: SnsAlarmActionStrategy;
  readonly #notifying: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: VendorSyncMonitoringProps = {}) {
    super(scope, id);
    this.#props = props;
    this.#prefix = Stack.of(this).stackName;
    this.#runbookBase = props.runbookBaseUrl ?? "docs/runbooks/";

    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
      this.alarmTopicKey = undefined;
    } else {
      const created = this.#createTopic();
      this.alarmTopic = created.topic;
      this.alarmTopicKey = created.key;
    }
    for (const email of props.alarmEmails ?? []) this.alarmTopic.addSubscription(new EmailSubscription(email));
    this.#notify = new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic, onOkTopic: this.alarmTopic });

    const dashboards = new DefaultDashboardFactory(this, "Dashboards", {
      dashboardNamePrefix: props.dashboardName ?? this.#prefix,
      createDashboard: true,
      createSummaryDashboard: false,
      createAlarmDashboard: false,
    });
    this.facade = new MonitoringFacade(this, "Facade", {
      metricFactoryDefaults: { namespace: METRIC_NAMESPACE, period: FIVE_MINUTES },
      alarmFactoryDefaults: {
        alarmNamePrefix: this.#prefix,
        actionsEnabled: true,
        action: this.#notify,
        datapointsToAlarm: 1,
      },
      dashboardFactory: dashboards,
    });
    this.dashboard = dashboards.dashboard as Dashboard;

    this.facade.addLargeHeader(`Advanced Vendor Sync — ${this.#prefix}`);
    this.facade.addWidget(
      new TextWidget({
        width: 24,
        height: 2,
        markdown: [
          "Freshness, failures and error rates per vendor; queues and their DLQs; functions, workflows and the API.",
          `Every alarm links its runbook (\`${this.#runbookBase}\`). CLI: \`npx vendor-sync jobs --vendor <id>\`, \`npx vendor-sync dlq list\`.`,
        ].join("\n\n"),
      }),
    );

    const vendorAlarms = new Map<string, VendorAlarms>();
    const enabled = (props.vendors ?? []).filter((vendor) => vendor.enabled);
    if (enabled.length > 0) {
      for (const [vendorId, alarms] of this.#monitorVendors(enabled)) vendorAlarms.set(vendorId, alarms);
    }
    this.vendorAlarms = vendorAlarms;
    for (const queue of props.queues ?? []) this.monitorQueue(queue);
    for (const dlq of props.deadLetterQueues ?? []) this.monitorDeadLetterQueue(dlq);
    const functions = props.functions ?? [];
    if (functions.length > 0) this.monitorFunctions(functions);
    for (const stateMachine of props.stateMachines ?? []) this.monitorStateMachine(stateMachine);
    if (props.api) this.monitorApi(props.api);
  }

  /** Every alarm that notifies the topic (composites included; their action-less children not). */
  get notifyingAlarms(): readonly IAlarm[] {
    return [...this.#notifying, ...this.facade.createdAlarms().flatMap((a) => (isNoop(a) ? [] : [a.alarm]))];
  }

  /**
   * Watches a queue and its DLQ: backlog (age of the oldest message, messages visible), DLQ not empty,
   * and messages sent to the DLQ (fires even when something drains the DLQ between samples).
   *
   * Metrics: `AWS/SQS` `ApproximateAgeOfOldestMessage` (s), `ApproximateNumberOfMessagesVisible`,
   * `NumberOfMessagesSent` (count; not emitted for messages SQS moves under a redrive policy, hence the
   * pair of DLQ alarms).
   *
   * @throws {Error} when `name` cannot be part of an alarm name.
   * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
   */
  monitorQueue(queue: MonitoredQueue): this {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(queue.name)) {
      throw new Error(
        `queue name ${JSON.stringify(queue.name)} must be 1–64 letters, digits and dashes (it is part of alarm names)`,
      );
    }
    const defaults = this.#props.queueDefaults ?? {};
    const maxAge = queue.maxMessageAge ?? defaults.maxMessageAge ?? Duration.minutes(15);
    const maxVisible = queue.maxMessagesVisible ?? defaults.maxMessagesVisible ?? 1000;
    this.facade.monitorSqsQueueWithDlq({
      queue: queue.queue,
      deadLetterQueue: queue.deadLetterQueue,
      alarmFriendlyName: queue.name,
      humanReadableName: `Queue ${queue.name}`,
      addQueueMaxMessageAgeAlarm: {
        Critical: {
          maxAgeInSeconds: maxAge.toSeconds(),
          // An idle queue stops reporting: no data means no backlog.
          treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
          datapointsToAlarm: 3,
          evaluationPeriods: 3,
          alarmDescriptionOverride: `Queue ${queue.name}: the oldest message has waited more than ${maxAge.toMinutes()} min for 15 min (consumers stalled or too slow).`,
          runbookLink: this.#runbook(RUNBOOKS.queueMessageAge),
        },
      },
      addQueueMaxSizeAlarm: {
        Critical: {
          maxMessageCount: maxVisible,
          treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
          datapointsToAlarm: 3,
          evaluationPeriods: 3,
          alarmDescriptionOverride: `Queue ${queue.name}: more than ${maxVisible} messages visible for 15 min (backlog growing).`,
          runbookLink: this.#runbook(RUNBOOKS.queueMessagesVisible),
        },
      },
      addDeadLetterQueueMaxSizeAlarm: {
        Critical: {
          maxMessageCount: 0,
          period: Duration.minutes(1),
          // SQS may stop reporting a queue nobody touches while messages still sit in it: keep the
          // last state instead of turning OK on silence.
          treatMissingDataOverride: TreatMissingData.IGNORE,
          alarmDescriptionOverride: `DLQ of ${queue.name} is not empty: messages failed processing and wait for inspection and redrive.`,
          runbookLink: this.#runbook(RUNBOOKS.dlqNotEmpty),
        },
      },
      addDeadLetterQueueMaxIncomingMessagesAlarm: {
        Critical: {
          maxIncomingMessagesCount: 0,
          // No messages sent in a period is the healthy case.
          treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
          alarmDescriptionOverride: `Messages were sent to the DLQ of ${queue.name} (fires even if the DLQ was drained before the visible-count sample).`,
          runbookLink: this.#runbook(RUNBOOKS.dlqMessagesArrived),
        },
      },
    });
    return this;
  }

  /**
   * Watches a dead-letter queue an AWS service sends to (no source queue of ours): the same two alarms
   * as a queue's DLQ — not empty (visible messages, missing data ignored) and messages sent to it
   * (`NumberOfMessagesSent`: the service sends them with SendMessage, so the metric is emitted).
   *
   * @throws {Error} when `name` cannot be part of an alarm name.
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
   */
  monitorDeadLetterQueue(dlq: MonitoredDeadLetterQueue): this {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(dlq.name)) {
      throw new Error(
        `dead-letter queue name ${JSON.stringify(dlq.name)} must be 1–64 letters, digits and dashes (it is part of alarm names)`,
      );
    }
    this.facade.monitorSqsQueue({
      queue: dlq.deadLetterQueue,
      alarmFriendlyName: `${dlq.name}-DLQ`,
      humanReadableName: `DLQ ${dlq.name}`,
      addQueueMaxSizeAlarm: {
        Critical: {
          maxMessageCount: 0,
          period: Duration.minutes(1),
          treatMissingDataOverride: TreatMissingData.IGNORE,
          alarmDescriptionOverride: `DLQ ${dlq.name} is not empty: ${dlq.sender} could not deliver these and kept them here.`,
          runbookLink: this.#runbook(RUNBOOKS.dlqNotEmpty),
        },
      },
      addQueueMaxIncomingMessagesAlarm: {
        Critical: {
          maxIncomingMessagesCount: 0,
          treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
          alarmDescriptionOverride: `${dlq.sender} sent messages to DLQ ${dlq.name} (fires even if it was drained before the visible-count sample).`,
          runbookLink: this.#runbook(RUNBOOKS.dlqMessagesArrived),
        },
      },
    });
    return this;
  }

  /**
   * Watches functions: the dashboard's Lambda widgets and a duration p95 alarm per function
   * (`AWS/Lambda` `Duration`, ms, against `functionDurationP95PercentOfTimeout` of the timeout).
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
   */
  monitorFunctions(functions: readonly IFunction[]): this {
    const percent = this.#props.functionDurationP95PercentOfTimeout ?? 80;
    const groups: CustomMetricGroup[] = [
      {
        title: "Lambda duration p95 (ms)",
        metrics: functions.map((fn) => {
          const name = friendlyName(fn);
          const timeout = (fn instanceof LambdaFunction ? fn.timeout : undefined) ?? Duration.seconds(3);
          const thresholdMs = Math.floor((timeout.toMilliseconds() * percent) / 100);
          return {
            metric: fn.metricDuration({ statistic: "p95", period: FIVE_MINUTES, label: name }),
            alarmFriendlyName: `${name}-Duration-P95`,
            addAlarm: {
              Warning: {
                threshold: thresholdMs,
                comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                // No invocations, no duration: idleness is not slowness.
                treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
                datapointsToAlarm: 3,
                evaluationPeriods: 3,
                alarmNameOverride: `${this.#prefix}-${name}-Duration-P95`,
                additionalDescription: `Function ${name}: duration p95 above ${thresholdMs} ms (${percent} % of its ${timeout.toSeconds()} s timeout) for 15 min.`,
                runbookLink: this.#runbook(RUNBOOKS.functionDuration),
              },
            },
          };
        }),
      },
    ];
    this.facade.monitorCustom({ alarmFriendlyName: "Functions", humanReadableName: "Functions", metricGroups: groups });
    for (const fn of functions) {
      this.facade.monitorLambdaFunction({ lambdaFunction: fn, alarmFriendlyName: friendlyName(fn) });
    }
    return this;
  }

  /** Watches a function (see {@link monitorFunctions}). */
  monitorFunction(fn: IFunction): this {
    return this.monitorFunctions([fn]);
  }

  /**
   * Watches a state machine: failed and timed-out executions (`AWS/States` `ExecutionsFailed`,
   * `ExecutionsTimedOut`, count).
   *
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
   */
  monitorStateMachine(stateMachine: IStateMachine): this {
    const name = friendlyName(stateMachine);
    this.facade.monitorStepFunction({
      stateMachine,
      alarmFriendlyName: name,
      humanReadableName: `State machine ${name}`,
      addFailedExecutionCountAlarm: {
        Critical: {
          maxErrorCount: 0,
          // No executions, no failures.
          treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
          alarmDescriptionOverride: `State machine ${name}: an execution failed.`,
          runbookLink: this.#runbook(RUNBOOKS.stateMachineFailed),
        },
      },
      addTimedOutExecutionCountAlarm: {
        Critical: {
          maxErrorCount: 0,
          treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
          alarmDescriptionOverride: `State machine ${name}: an execution timed out.`,
          runbookLink: this.#runbook(RUNBOOKS.stateMachineTimedOut),
        },
      },
    });
    return this;
  }

  /**
   * Watches the API: 5xx responses in two of three 5-minute periods (`AWS/ApiGateway` `5XXError` by
   * `ApiName` and `Stage` for a REST API, `5xx` by `ApiId` for an HTTP API).
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html
   */
  monitorApi(api: IRestApi | IHttpApi): this {
    const name = friendlyName(api);
    const alarm = {
      Critical: {
        maxErrorCount: 0,
        // No requests, no errors; a lone 5xx does not page, a recurring one does.
        treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
        alarmDescriptionOverride: `API ${name}: 5xx responses in 2 of the last 3 five-minute periods (vendors' webhooks or admin calls are failing).`,
        runbookLink: this.#runbook(RUNBOOKS.api5xx),
      },
    };
    if ("restApiId" in api) {
      this.facade.monitorApiGateway({
        api,
        apiStage: api.deploymentStage.stageName,
        alarmFriendlyName: name,
        humanReadableName: `API ${name}`,
        add5XXFaultCountAlarm: alarm,
      });
    } else {
      this.facade.monitorApiGatewayV2HttpApi({
        api,
        alarmFriendlyName: name,
        humanReadableName: `API ${name}`,
        add5xxCountAlarm: alarm,
      });
    }
    return this;
  }

  // ---- vendors --------------------------------------------------------------------------------

  #metric(name: MetricName, vendorId: string, period: Duration = FIVE_MINUTES): Metric {
    return new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: name,
      dimensionsMap: metricDimensions(name, { VendorId: vendorId }),
      statistic: METRICS[name].statistic,
      period,
      label: vendorId,
    });
  }

  /** One line per vendor of `name` (SEARCH: vendors added later appear without a deployment). */
  #perVendorSearch(name: MetricName, label: string): MathExpression {
    return new MathExpression({
      expression: `SEARCH('{${METRIC_NAMESPACE},service,VendorId} MetricName="${name}"', '${METRICS[name].statistic}', ${FIVE_MINUTES.toSeconds()})`,
      usingMetrics: {},
      label,
      period: FIVE_MINUTES,
    });
  }

  /** The sum over every vendor of `name`. */
  #allVendorsSum(name: MetricName, label: string): MathExpression {
    return new MathExpression({
      expression: `SUM(SEARCH('{${METRIC_NAMESPACE},service,VendorId} MetricName="${name}"', 'Sum', ${FIVE_MINUTES.toSeconds()}))`,
      usingMetrics: {},
      label,
      period: FIVE_MINUTES,
    });
  }

  /**
   * (rejected + failed) / received in percent, 0 in periods with fewer than `minChanges` changes.
   * Ids carry the vendor so several vendors' expressions can share one graph.
   */
  #errorRate(vendorId: string, minChanges: number): MathExpression {
    const id = vendorId.replace(/[^A-Za-z0-9]/g, "_");
    const [received, rejected, failed] = [`received_${id}`, `rejected_${id}`, `failed_${id}`];
    return new MathExpression({
      expression: `IF(FILL(${received}, 0) >= ${minChanges}, 100 * (FILL(${rejected}, 0) + FILL(${failed}, 0)) / ${received}, 0)`,
      usingMetrics: {
        [received]: this.#metric("ChangesReceived", vendorId),
        [rejected]: this.#metric("ChangesRejected", vendorId),
        [failed]: this.#metric("ChangesFailed", vendorId),
      },
      label: vendorId,
      period: FIVE_MINUTES,
    });
  }

  /**
   * Per vendor: staleness (a composite of freshness breached and not paused), sync failures, error
   * rate and job duration, with the vendor graphs of the dashboard.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
   */
  #monitorVendors(vendors: readonly VendorConfig[]): Map<string, VendorAlarms> {
    const syncThreshold = this.#props.syncDurationP95Threshold ?? Duration.minutes(30);
    const minChanges = this.#props.errorRateMinChanges ?? 20;
    const silent = new NoopAlarmActionStrategy();
    const name = (vendorId: string, suffix: string) => `${this.#prefix}-${vendorId}-${suffix}`;
    const freshnessGroups: CustomMetricGroup[] = [
      {
        title: "Data freshness: age of the newest accepted change (s)",
        important: true,
        metrics: vendors.map((vendor) => ({
          metric: this.#metric("FreshnessAgeSeconds", vendor.id, FRESHNESS_INTERVAL),
          alarmFriendlyName: `${vendor.id}-Freshness`,
          addAlarm: {
            Data: {
              threshold: vendor.freshnessSloMinutes * 60,
              comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
              // The monitor publishes this for every active vendor every 5 minutes: silence is staleness.
              treatMissingDataOverride: TreatMissingData.BREACHING,
              datapointsToAlarm: 3,
              evaluationPeriods: 3,
              actionOverride: silent,
              alarmNameOverride: name(vendor.id, "Freshness-Breached"),
              additionalDescription: `Vendor ${vendor.id}: newest change older than its ${vendor.freshnessSloMinutes} min SLO, or no freshness published for 15 min. No action: feeds ${name(vendor.id, "Stale")}.`,
              runbookLink: this.#runbook(RUNBOOKS.vendorStale),
            },
          },
        })),
      },
      {
        title: "Time since the last successful sync (s)",
        metrics: vendors.map((vendor) => this.#metric("TimeSinceLastSyncSeconds", vendor.id, FRESHNESS_INTERVAL)),
      },
      {
        title: "Paused vendors (1 = paused)",
        important: true,
        metrics: vendors.map((vendor) => ({
          metric: this.#metric("VendorPaused", vendor.id, FRESHNESS_INTERVAL),
          alarmFriendlyName: `${vendor.id}-Paused`,
          addAlarm: {
            State: {
              threshold: 1,
              comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
              // Unknown is not paused: a silent monitor must not silence staleness.
              treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
              // Paused at any time in the last 15 minutes: covers the gap after resume while freshness
              // datapoints come back, so resuming does not page.
              datapointsToAlarm: 1,
              evaluationPeriods: 3,
              actionOverride: silent,
              alarmNameOverride: name(vendor.id, "Paused"),
              additionalDescription: `Vendor ${vendor.id} is paused (state indicator, no action): silences ${name(vendor.id, "Stale")}.`,
              runbookLink: this.#runbook(RUNBOOKS.vendorPaused),
            },
          },
        })),
      },
    ];
    const activityGroups: CustomMetricGroup[] = [
      {
        title: "Jobs by status (all vendors)",
        important: true,
        metrics: Object.values(JOB_STATUS_METRIC).map((metric) => this.#allVendorsSum(metric, metric)),
      },
      {
        title: "Failed jobs per vendor",
        metrics: vendors.map((vendor) => ({
          metric: this.#metric("JobsFailed", vendor.id),
          alarmFriendlyName: `${vendor.id}-JobsFailed`,
          addAlarm: {
            Critical: {
              threshold: 0,
              comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
              // No jobs, no failures; a vendor that stops syncing is caught by staleness.
              treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(vendor.id, "Sync-Failures"),
              additionalDescription: `Vendor ${vendor.id}: a sync job ended FAILED.`,
              runbookLink: this.#runbook(RUNBOOKS.syncFailures),
            },
          },
        })),
      },
      {
        title: "Changes by outcome (all vendors)",
        important: true,
        metrics: [
          this.#allVendorsSum("ChangesReceived", "received"),
          ...Object.entries(OUTCOME_METRIC).map(([outcome, metric]) => this.#allVendorsSum(metric, outcome)),
        ],
      },
      {
        title: "Error rate per vendor: (rejected + failed) / received (%)",
        metrics: vendors.map((vendor) => ({
          metric: this.#errorRate(vendor.id, minChanges),
          alarmFriendlyName: `${vendor.id}-ErrorRate`,
          addAlarm: {
            Critical: {
              threshold: vendor.toleratedRejectedPercent,
              comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
              // No changes, no error rate.
              treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
              datapointsToAlarm: 2,
              evaluationPeriods: 3,
              alarmNameOverride: name(vendor.id, "Error-Rate"),
              additionalDescription: `Vendor ${vendor.id}: more than ${vendor.toleratedRejectedPercent} % of changes rejected or failed in 2 of the last 3 five-minute periods (periods with fewer than ${minChanges} changes count as 0 %).`,
              runbookLink: this.#runbook(RUNBOOKS.errorRate),
            },
          },
        })),
      },
      {
        title: "Errors by type (all vendors)",
        metrics: Object.entries(ERROR_METRIC).map(([kind, metric]) => this.#allVendorsSum(metric, kind)),
      },
      {
        title: "Sync duration p95 per vendor (ms)",
        metrics: vendors.map((vendor) => ({
          metric: this.#metric("SyncDuration", vendor.id, Duration.hours(1)),
          alarmFriendlyName: `${vendor.id}-SyncDuration`,
          addAlarm: {
            Warning: {
              threshold: syncThreshold.toMilliseconds(),
              comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
              // No finished jobs, no duration: idleness is not slowness.
              treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(vendor.id, "Sync-Duration-P95"),
              additionalDescription: `Vendor ${vendor.id}: job duration p95 over the last hour above ${syncThreshold.toMinutes()} min.`,
              runbookLink: this.#runbook(RUNBOOKS.syncDuration),
            },
          },
        })),
      },
      {
        title: "Throughput: changes received per 5 minutes (all vendors) and per job (changes/s)",
        metrics: [
          this.#allVendorsSum("ChangesReceived", "changes received"),
          this.#perVendorSearch("ThroughputChanges", "job throughput (changes/s)"),
        ],
      },
      {
        title: "Signature rejections and duplicates dropped",
        metrics: [
          this.#perVendorSearch("SignatureRejections", "signature rejections"),
          this.#perVendorSearch("DuplicatesDropped", "duplicates dropped"),
        ],
      },
    ];
    const webhookVendors = vendors.filter((vendor) => vendor.channels.webhook);
    if (webhookVendors.length > 0)
      activityGroups.push({
        title: "Configuration faults per vendor (webhook deliveries answered 503)",
        metrics: webhookVendors.map((vendor) => ({
          metric: this.#metric("ConfigurationFaults", vendor.id),
          alarmFriendlyName: `${vendor.id}-ConfigurationFaults`,
          addAlarm: {
            Critical: {
              threshold: 0,
              comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
              // Published only when a delivery hits a fault: silence is health.
              treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
              alarmNameOverride: name(vendor.id, "Configuration-Fault"),
              additionalDescription: `Vendor ${vendor.id}: webhook deliveries were answered 503 because its configuration is faulty (signing secret malformed or not in its scheme's format). The vendor retries; fix the secret.`,
              runbookLink: this.#runbook(RUNBOOKS.configurationFault),
            },
          },
        })),
      });
    this.facade.monitorCustom({
      alarmFriendlyName: "Freshness",
      humanReadableName: "Vendor freshness",
      description: `Published every ${FRESHNESS_INTERVAL.toMinutes()} minutes by the freshness monitor; a paused vendor shows 1 under "Paused vendors" and no freshness.`,
      metricGroups: freshnessGroups,
    });
    const out = new Map<string, VendorAlarms>();
    const stale = new Map<string, CompositeAlarm>();
    for (const vendor of vendors) {
      const freshnessBreached = this.#createdAlarm(name(vendor.id, "Freshness-Breached"));
      const paused = this.#createdAlarm(name(vendor.id, "Paused"));
      const alarm = new CompositeAlarm(this, `Stale-${vendor.id}`, {
        compositeAlarmName: name(vendor.id, "Stale"),
        alarmDescription: this.#describe(
          `Vendor ${vendor.id} is stale: no accepted change newer than its ${vendor.freshnessSloMinutes} min SLO, or no freshness published at all for 15 min, and it is not paused.`,
          RUNBOOKS.vendorStale,
        ),
        alarmRule: AlarmRule.allOf(
          AlarmRule.fromAlarm(freshnessBreached, AlarmState.ALARM),
          AlarmRule.not(AlarmRule.fromAlarm(paused, AlarmState.ALARM)),
        ),
      });
      alarm.addAlarmAction(new SnsAction(this.alarmTopic));
      alarm.addOkAction(new SnsAction(this.alarmTopic));
      this.#notifying.push(alarm);
      stale.set(vendor.id, alarm);
    }
    this.facade.addWidget(
      new AlarmStatusWidget({
        title: "Vendor staleness (paused vendors never turn red)",
        alarms: [...stale.values()],
        width: 24,
        height: 3,
      }),
    );
    this.facade.monitorCustom({
      alarmFriendlyName: "Vendors",
      humanReadableName: "Vendor jobs and changes",
      metricGroups: activityGroups,
    });
    for (const vendor of vendors) {
      out.set(vendor.id, {
        syncFailures: this.#createdAlarm(name(vendor.id, "Sync-Failures")),
        errorRate: this.#createdAlarm(name(vendor.id, "Error-Rate")),
        syncDuration: this.#createdAlarm(name(vendor.id, "Sync-Duration-P95")),
        freshnessBreached: this.#createdAlarm(name(vendor.id, "Freshness-Breached")),
        paused: this.#createdAlarm(name(vendor.id, "Paused")),
        stale: stale.get(vendor.id) as CompositeAlarm,
        ...(vendor.channels.webhook
          ? { configurationFault: this.#createdAlarm(name(vendor.id, "Configuration-Fault")) }
          : {}),
      });
    }
    return out;
  }

  // ---- topic ----------------------------------------------------------------------------------

  #createTopic(): { topic: Topic; key: Key } {
    const stack = Stack.of(this);
    const alarmArns = stack.formatArn({
      service: "cloudwatch",
      resource: "alarm",
      resourceName: "*",
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const fromOurAlarms = {
      StringEquals: { "aws:SourceAccount": stack.account },
      ArnLike: { "aws:SourceArn": alarmArns },
    };
    const key = new Key(this, "AlarmTopicKey", {
      description: "Encrypts the vendor-sync alarm topic; CloudWatch alarms of this account may use it to publish",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // The AWS managed alias/aws/sns key cannot be used: its policy does not let CloudWatch alarms encrypt.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
        resources: ["*"],
        conditions: fromOurAlarms,
      }),
    );
    const topic = new Topic(this, "AlarmTopic", {
      displayName: `Vendor Sync alarms (${this.#prefix})`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarmsToPublish",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    return { topic, key };
  }

  #createdAlarm(alarmName: string): IAlarm {
    const alarm = this.facade.createdAlarms().find((a) => a.alarmName === alarmName)?.alarm;
    if (!alarm) throw new Error(`alarm ${alarmName} was not created`);
    return alarm;
  }

  #runbook(page: string): string {
    return `${this.#runbookBase}${page}.md`;
  }

  #describe(text: string, page: string): string {
    return `${text} \r\nRunbook: ${this.#runbook(page)}`;
  }
}

function isNoop(alarm: AlarmWithAnnotation): boolean {
  return alarm.action instanceof NoopAlarmActionStrategy;
}

/**
 * A readable name from a construct's path, without the stage, the stack and generic ids:
 * `VendorSync-dev/ApplyChanges/Function` → `ApplyChanges`.
 */
export function friendlyName(construct: IConstruct): string {
  const ids = construct.node.scopes
    .filter((scope) => scope.node.id !== "" && !Stack.isStack(scope) && !Stage.isStage(scope))
    .map((scope) => scope.node.id);
  while (ids.length > 1 && GENERIC_IDS.has(ids.at(-1) as string)) ids.pop();
  return ids.join("-").replace(/[^A-Za-z0-9-]/g, "-");
}

const GENERIC_IDS = new Set(["Function", "Resource", "Default"]);
