import { Duration, Stack, TimeZone, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import {
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { scheduledSyncInput } from "../../lambdas/sync-jobs/operations.ts";
import { acknowledgeWildcardResources } from "./nag.ts";

export interface VendorSchedulesProps {
  /** The function a schedule invokes (the on-demand function: it creates the job and queues it). */
  readonly target: IFunction;
  readonly vendors: readonly VendorConfig[];
  /** Retries of a failed invoke (throttling, a transient error). @default 3 */
  readonly retryAttempts?: number;
  /** How long a failed invoke is retried before it goes to the DLQ. @default 1 hour */
  readonly maxEventAge?: Duration;
}

/**
 * One EventBridge Scheduler schedule per enabled vendor with a `schedule` in its config — its
 * `cron(…)`/`rate(…)` expression, IANA time zone and flexible window — in one schedule group, each
 * invoking the on-demand function with `{ operation: "startSync", vendorId, trigger: "schedule" }`
 * under a retry policy, with a dead-letter queue for invokes that keep failing.
 *
 * The target is the on-demand function rather than the sync queue itself: a start must take the
 * vendor's single-running-job lock and create the job (ULID, QUEUED) before anything is queued, so an
 * overrunning vendor is skipped instead of piling up messages and every run is visible as a job from
 * the start — an SQS input template can do neither.
 *
 * The schedules assume one role that may only invoke that function and send to the DLQ, trusted by
 * the scheduler service for this schedule group only.
 *
 * Default settings: 3 retries within 1 hour, DLQ kept 14 days (SSE, TLS only).
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-flexible-time-windows.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
 */
export class VendorSchedules extends Construct {
  readonly group: ScheduleGroup;
  readonly deadLetterQueue: Queue;
  /** The role the schedules assume. */
  readonly role: Role;
  /** Schedules by vendor id. */
  readonly schedules: ReadonlyMap<string, Schedule>;

  constructor(scope: Construct, id: string, props: VendorSchedulesProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, "Group", {});
    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: "This queue is itself the dead-letter queue of the vendor schedules: it holds invokes that kept failing.",
    });
    this.role = schedulerRole(this, "Role", this.group);
    acknowledgeInvokeVersions(this.role, props.target);
    const schedules = new Map<string, Schedule>();
    for (const vendor of props.vendors) {
      if (!vendor.enabled || !vendor.schedule) continue;
      const { expression, timeZone, flexibleWindowMinutes } = vendor.schedule;
      schedules.set(
        vendor.id,
        new Schedule(this, `Vendor-${vendor.id}`, {
          description: `Scheduled sync of ${vendor.id} (${expression}, ${timeZone})`,
          scheduleGroup: this.group,
          schedule: ScheduleExpression.expression(expression, TimeZone.of(timeZone)),
          timeWindow:
            flexibleWindowMinutes > 0 ? TimeWindow.flexible(Duration.minutes(flexibleWindowMinutes)) : TimeWindow.off(),
          target: new LambdaInvoke(props.target, {
            role: this.role,
            deadLetterQueue: this.deadLetterQueue,
            retryAttempts: props.retryAttempts ?? 3,
            maxEventAge: props.maxEventAge ?? Duration.hours(1),
            input: ScheduleTargetInput.fromObject(scheduledSyncInput(vendor.id)),
          }),
        }),
      );
    }
    this.schedules = schedules;
  }
}

/**
 * A role EventBridge Scheduler assumes for schedules of one group only (`aws:SourceArn` is the group,
 * `aws:SourceAccount` this account: the confused-deputy guard the scheduler documents).
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
 */
export function schedulerRole(scope: Construct, id: string, group: ScheduleGroup): Role {
  return new Role(scope, id, {
    description: "EventBridge Scheduler: invoke one vendor-sync function and send to its schedule DLQ",
    assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
      conditions: {
        StringEquals: { "aws:SourceAccount": Stack.of(scope).account, "aws:SourceArn": group.scheduleGroupArn },
      },
    }),
  });
}

/** `grantInvoke` also allows the function's versions and aliases (`<arn>:*`); acknowledged beside the role. */
export function acknowledgeInvokeVersions(role: Role, fn: IFunction): void {
  acknowledgeWildcardResources(
    role,
    [`${fn.functionArn}:*`],
    "LambdaInvoke grants lambda:InvokeFunction on the one target function and its versions/aliases (<arn>:*); the role can invoke nothing else.",
  );
}
