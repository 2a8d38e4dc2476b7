import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchApplyEnvSchema = v.object({
  /** The jobs and operations topic: newly opened conflicts are announced there. Optional. */
  OPS_TOPIC_ARN: v.optional(v.pipe(v.string(), v.startsWith("arn:"))),
  IMPORTS_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  RECORDS_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
});

export type BatchApplyEnv = v.InferOutput<typeof BatchApplyEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchApplyEnv => v.parse(BatchApplyEnvSchema, env);
