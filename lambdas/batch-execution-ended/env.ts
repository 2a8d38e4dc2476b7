import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchExecutionEndedEnvSchema = v.object({
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  /** Read (strongly consistent) to tell which changes of unreported apply parts were written. */
  RECORDS_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  /** The batch workflow's working files (validation report, manifests, results, rejects parts). */
  IMPORTS_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  /** The job topic the Notify step publishes on. */
  JOBS_TOPIC_ARN: v.pipe(v.string(), v.startsWith("arn:")),
});

export type BatchExecutionEndedEnv = v.InferOutput<typeof BatchExecutionEndedEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchExecutionEndedEnv =>
  v.parse(BatchExecutionEndedEnvSchema, env);
