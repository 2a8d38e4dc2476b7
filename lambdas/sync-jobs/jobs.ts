/** The job lifecycle on the real sync table, sync queue and jobs topic: shared by the on-demand and admin API entries. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoJobStore } from "../adapters/dynamodb/job-store.ts";
import { StepFunctionsExecutionControl } from "../adapters/sfn/sfn-execution-control.ts";
import { SnsJobNotifier } from "../adapters/sns/sns-job-notifier.ts";
import { SqsQueueSender } from "../adapters/sqs/sqs-queue.ts";
import { SyncJobs } from "../core/jobs/sync-jobs.ts";
import { log } from "../runtime/powertools.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { readEnv } from "./env.ts";

/** @returns the job lifecycle wired from the function's environment (call once, at module scope). */
export function jobsFromEnv(env = readEnv()): SyncJobs {
  return new SyncJobs({
    vendors: VendorRegistry.fromBundle(),
    store: new DynamoJobStore({ client: new DynamoDBClient({}), tableName: env.SYNC_TABLE_NAME }),
    queue: new SqsQueueSender({ client: new SQSClient({}), queueUrl: env.SYNC_QUEUE_URL }),
    notifier: new SnsJobNotifier({ client: new SNSClient({}), topicArn: env.JOBS_TOPIC_ARN }),
    // A cancelled batch job's execution is stopped; its ABORTED status event ends the job CANCELLED.
    ...(env.BATCH_STATE_MACHINE_ARN
      ? {
          executions: new StepFunctionsExecutionControl({
            client: new SFNClient({}),
            stateMachineArn: env.BATCH_STATE_MACHINE_ARN,
          }),
        }
      : {}),
    log,
  });
}
