import * as v from "valibot";

/** The processor's environment, read once at cold start. */
export const ProcessChangesEnvSchema = v.object({
  /** The jobs and operations topic: newly opened conflicts are announced there. Optional. */
  OPS_TOPIC_ARN: v.optional(v.pipe(v.string(), v.startsWith("arn:"))),
  RECORDS_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  ARCHIVE_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  REALTIME_QUEUE_URL: v.pipe(v.string(), v.url()),
  REALTIME_DLQ_URL: v.pipe(v.string(), v.url()),
});

/** @throws {v.ValiError} naming the missing variable. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env) => v.parse(ProcessChangesEnvSchema, env);
