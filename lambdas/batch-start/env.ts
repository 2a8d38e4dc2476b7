import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const BatchStartEnvSchema = v.object({
  BATCH_STATE_MACHINE_ARN: v.pipe(v.string(), v.startsWith("arn:")),
});

export type BatchStartEnv = v.InferOutput<typeof BatchStartEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): BatchStartEnv => v.parse(BatchStartEnvSchema, env);
