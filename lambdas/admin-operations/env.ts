import * as v from "valibot";

const QueuePairSchema = v.object({
  queueUrl: v.pipe(v.string(), v.url()),
  queueArn: v.pipe(v.string(), v.startsWith("arn:")),
  deadLetterQueueUrl: v.pipe(v.string(), v.url()),
  deadLetterQueueArn: v.pipe(v.string(), v.startsWith("arn:")),
});

/** The admin-operations function's environment, read once at cold start. */
export const AdminOperationsEnvSchema = v.object({
  RECORDS_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  SYNC_TABLE_NAME: v.pipe(v.string(), v.minLength(3)),
  /** The real-time queue: where a resumed vendor's parked messages go. */
  REALTIME_QUEUE_URL: v.pipe(v.string(), v.url()),
  /** JSON `{ "<name>": { queueUrl, queueArn, deadLetterQueueUrl, deadLetterQueueArn } }` for the DLQ workbench. */
  /** The webhook archive bucket (read-only, `webhooks/`), for replay. */
  ARCHIVE_BUCKET_NAME: v.pipe(v.string(), v.minLength(3)),
  QUEUES: v.pipe(v.string(), v.parseJson(), v.record(v.string(), QueuePairSchema)),
});

/** @throws {v.ValiError} naming the missing or malformed variable. */
export const readEnv = (env: NodeJS.ProcessEnv = process.env) => v.parse(AdminOperationsEnvSchema, env);
