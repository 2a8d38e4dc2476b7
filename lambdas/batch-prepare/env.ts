import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchPrepareEnvSchema = v.object({
  IMPORTS_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
});

export type BatchPrepareEnv = v.InferOutput<typeof BatchPrepareEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchPrepareEnv => v.parse(BatchPrepareEnvSchema, env);
