import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchValidateEnvSchema = v.object({
  IMPORTS_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
});

export type BatchValidateEnv = v.InferOutput<typeof BatchValidateEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchValidateEnv => v.parse(BatchValidateEnvSchema, env);
