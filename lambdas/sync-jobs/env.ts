import * as v from "valibot";

/** The on-demand function's (and the admin API's) environment, read once at cold start. */
export const SyncJobsEnvSchema = v.object({
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_QUEUE_URL: v.pipe(v.string(), v.url()),
  JOBS_TOPIC_ARN: v.pipe(v.string(), v.startsWith("arn:")),
  /** The batch state machine whose executions a cancel stops. @default none: a batch job's cancel is only recorded */
  BATCH_STATE_MACHINE_ARN: v.optional(v.pipe(v.string(), v.startsWith("arn:"))),
});

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env) => v.parse(SyncJobsEnvSchema, env);
