import * as v from "valibot";

/** The watchdog's environment, read once at cold start. */
export const WatchdogEnvSchema = v.object({
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  JOBS_TOPIC_ARN: v.pipe(v.string(), v.startsWith("arn:")),
  /** Minutes without a heartbeat after which a pull job has stopped. @default 30 */
  STALE_AFTER_MINUTES: v.optional(v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(5)), "30"),
});

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env) => v.parse(WatchdogEnvSchema, env);
