import * as v from "valibot";

/** The pull worker's environment, read once at cold start. */
export const PullVendorEnvSchema = v.object({
  RECORDS_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  /** Staged parts of large pulls (`pulls/`) and rejects (`rejects/`). */
  ARCHIVE_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_QUEUE_URL: v.pipe(v.string(), v.url()),
  SYNC_DLQ_URL: v.pipe(v.string(), v.url()),
  JOBS_TOPIC_ARN: v.pipe(v.string(), v.startsWith("arn:")),
  /** The batch workflow; without it every pull is applied by the worker. */
  BATCH_STATE_MACHINE_ARN: v.optional(v.pipe(v.string(), v.startsWith("arn:"))),
});

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env) => v.parse(PullVendorEnvSchema, env);
