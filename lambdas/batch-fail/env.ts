import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchFailEnvSchema = v.object({
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
});

export type BatchFailEnv = v.InferOutput<typeof BatchFailEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchFailEnv => v.parse(BatchFailEnvSchema, env);
