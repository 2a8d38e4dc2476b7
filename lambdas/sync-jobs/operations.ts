import * as v from "valibot";
import { ValidationError } from "../core/errors.ts";
import { type JobView, jobView, SYNC_MODES } from "../core/jobs/job.ts";
import type { SyncJobs } from "../core/jobs/sync-jobs.ts";
import { parseTimestamp } from "../core/timestamps.ts";

const JobId = v.pipe(v.string(), v.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i, "a job id is a ULID (26 characters)"));
const VendorId = v.pipe(v.string(), v.minLength(1), v.maxLength(63));

/**
 * The on-demand operations, as the on-demand function takes them (one `operation` per invoke) and
 * the admin API maps its routes onto. `requestedBy` is recorded on the job (an IAM principal ARN,
 * a user name).
 */
export const OperationSchema = v.variant("operation", [
  v.strictObject({
    operation: v.literal("startSync"),
    vendorId: VendorId,
    /** @default "incremental" */
    mode: v.optional(v.picklist(SYNC_MODES)),
    /** @default false */
    dryRun: v.optional(v.boolean()),
    /** @default "admin" (the schedules send "schedule") */
    trigger: v.optional(v.picklist(["admin", "schedule", "cli"])),
    requestedBy: v.optional(v.pipe(v.string(), v.maxLength(512))),
  }),
  v.strictObject({ operation: v.literal("getJob"), jobId: JobId }),
  v.strictObject({
    operation: v.literal("listJobs"),
    /** One vendor, or every vendor. */
    vendorId: v.optional(VendorId),
    /** ISO 8601: jobs created at or after. */
    since: v.optional(v.string()),
    /** @default 20 */
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  }),
  v.strictObject({
    operation: v.literal("cancelJob"),
    jobId: JobId,
    requestedBy: v.optional(v.pipe(v.string(), v.maxLength(512))),
  }),
]);
export type Operation = v.InferInput<typeof OperationSchema>;

/**
 * The input each vendor's EventBridge schedule sends the on-demand function (its `Target.Input`):
 * an incremental sync with `trigger: "schedule"`. The sandbox's schedules run the same input.
 */
export function scheduledSyncInput(vendorId: string) {
  return { operation: "startSync", vendorId, mode: "incremental", trigger: "schedule" } as const satisfies Operation;
}

/** What each operation answers. */
export type OperationResult =
  | { readonly started: true; readonly job: JobView }
  | { readonly started: false; readonly reason: "paused" | "already-running"; readonly runningJobId?: string }
  | { readonly job: JobView }
  | { readonly jobs: JobView[] };

/**
 * Runs one operation on the job lifecycle.
 * @throws {ValidationError} for a malformed operation; the lifecycle's typed errors otherwise
 *   (`UnknownVendorError`, `JobNotFoundError`, `SyncAlreadyRunningError`, `JobNotCancellableError`…).
 */
export async function runOperation(jobs: SyncJobs, input: unknown): Promise<OperationResult> {
  const parsed = v.safeParse(OperationSchema, input);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const field = v.getDotPath(issue) ?? undefined;
    throw new ValidationError(`invalid operation: ${field ?? "(root)"}: ${issue.message}`, { field });
  }
  const op = parsed.output;
  switch (op.operation) {
    case "startSync": {
      const started = await jobs.start({
        vendorId: op.vendorId,
        ...(op.mode ? { mode: op.mode } : {}),
        ...(op.dryRun === undefined ? {} : { dryRun: op.dryRun }),
        ...(op.trigger ? { trigger: op.trigger } : {}),
        ...(op.requestedBy ? { requestedBy: op.requestedBy } : {}),
      });
      return started.started ? { started: true, job: jobView(started.job) } : started;
    }
    case "getJob":
      return { job: jobView(await jobs.get(op.jobId)) };
    case "listJobs": {
      const since = op.since === undefined ? undefined : parseTimestamp(op.since, { field: "since" });
      const list = await jobs.list({
        ...(op.vendorId ? { vendorId: op.vendorId } : {}),
        ...(since === undefined ? {} : { since }),
        ...(op.limit === undefined ? {} : { limit: op.limit }),
      });
      return { jobs: list.map(jobView) };
    }
    case "cancelJob":
      return { job: jobView(await jobs.cancel(op.jobId, op.requestedBy)) };
  }
}
