/**
 * sync-jobs — the on-demand function: the job lifecycle's operations by direct invoke (`startSync`,
 * `getJob`, `listJobs`, `cancelJob`; see `OperationSchema`). The schedules invoke it with
 * `{ operation: "startSync", trigger: "schedule" }`, the CLI's `--target aws` with the others.
 *
 * Refusals a caller can act on (unknown vendor or job, a sync already running, a job already ended,
 * bad input) come back as `{ ok: false, error }` with the admin API's status code; transient failures
 * and bugs throw, so the scheduler's retry policy and the function's error metrics see them.
 */
import type { SyncJobs } from "../core/jobs/sync-jobs.ts";
import type { Log } from "../core/ports.ts";
import { type ErrorBody, errorBody } from "../runtime/http-errors.ts";
import { type OperationResult, runOperation } from "./operations.ts";

/** What an invoke answers. */
export type SyncJobsResponse =
  | ({ readonly ok: true } & OperationResult)
  | { readonly ok: false; readonly error: ErrorBody };

/** Builds the on-demand function. */
export function makeHandler(deps: { readonly jobs: SyncJobs; readonly log: Log }) {
  return async (event: unknown): Promise<SyncJobsResponse> => {
    try {
      return { ok: true, ...(await runOperation(deps.jobs, event)) };
    } catch (error) {
      const body = errorBody(error);
      if (!body || body.statusCode >= 500) throw error;
      deps.log.warn("operation refused", { error: body.name, message: body.message });
      return { ok: false, error: body };
    }
  };
}
