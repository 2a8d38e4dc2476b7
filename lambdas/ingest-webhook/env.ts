import * as v from "valibot";

/** The ingest function's environment, read once at cold start. */
export const IngestEnvSchema = v.object({
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  ARCHIVE_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  REALTIME_QUEUE_URL: v.pipe(v.string(), v.url()),
});

/** @throws {v.ValiError} naming the missing variable, so a misconfigured function fails at init. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env) => v.parse(IngestEnvSchema, env);
