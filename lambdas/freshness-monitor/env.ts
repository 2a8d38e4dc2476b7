import * as v from "valibot";

/** The function's environment, read once at cold start. */
export const FreshnessMonitorEnvSchema = v.object({
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
});

export type FreshnessMonitorEnv = v.InferOutput<typeof FreshnessMonitorEnvSchema>;

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env): FreshnessMonitorEnv =>
  v.parse(FreshnessMonitorEnvSchema, env);
