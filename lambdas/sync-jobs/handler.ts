/** Lambda entry of sync-jobs (the on-demand function): real adapters built once per execution environment. */
import { log } from "../runtime/powertools.ts";
import { jobsFromEnv } from "./jobs.ts";
import { makeHandler, type SyncJobsResponse } from "./sync-jobs.ts";

const syncJobs = makeHandler({ jobs: jobsFromEnv(), log });

export const handler = (event: unknown): Promise<SyncJobsResponse> => syncJobs(event);
