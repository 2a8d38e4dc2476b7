/** Lambda entry of watchdog: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoJobStore } from "../adapters/dynamodb/job-store.ts";
import { SnsJobNotifier } from "../adapters/sns/sns-job-notifier.ts";
import { SyncJobs } from "../core/jobs/sync-jobs.ts";
import type { WatchdogReport } from "../core/jobs/watchdog.ts";
import { log } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { readEnv } from "./env.ts";
import { makeHandler } from "./watchdog.ts";

const env = readEnv();
const vendors = VendorRegistry.fromBundle();
const store = new DynamoJobStore({ client: new DynamoDBClient({}), tableName: env.SYNC_TABLE_NAME });
// No queue: the watchdog only ends jobs, it never starts one.
const jobs = new SyncJobs({
  vendors,
  store,
  notifier: new SnsJobNotifier({ client: new SNSClient({}), topicArn: env.JOBS_TOPIC_ARN }),
  log,
});

const watchdog = makeHandler({ jobs, store, vendors, log, staleAfterMs: env.STALE_AFTER_MINUTES * 60_000 });

export const handler = (): Promise<WatchdogReport> => watchdog();
