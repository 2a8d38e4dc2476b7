import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchPlanEnvSchema = v.object({
  IMPORTS_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  RECORDS_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
});

export type BatchPlanEnv = v.InferOutput<typeof BatchPlanEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchPlanEnv => v.parse(BatchPlanEnvSchema, env);
