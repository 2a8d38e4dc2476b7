import { type CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { isFinal, type JobView, jobView, type SyncMode } from "../lambdas/core/jobs/job.ts";
import type { ErrorBody } from "../lambdas/runtime/http-errors.ts";
import type { OperationResult } from "../lambdas/sync-jobs/operations.ts";
import type { SyncJobsResponse } from "../lambdas/sync-jobs/sync-jobs.ts";
import { authorizationHeader } from "./admin-token.ts";
import { RemoteJobError } from "./remote-errors.ts";
import type { Sandbox } from "./sandbox.ts";

/** What the `sync`, `jobs` and `job` commands need, wherever the jobs live. */
export interface JobsClient {
  /** Where the jobs live, for messages. */
  readonly target: string;
  /** @throws the lifecycle's typed errors (in-process) or {@link RemoteJobError} (over HTTP or Lambda). */
  startSync(request: { vendorId: string; mode: SyncMode; dryRun: boolean }): Promise<JobView>;
  getJob(jobId: string): Promise<JobView>;
  listJobs(options: { vendorId?: string; limit?: number }): Promise<JobView[]>;
  cancelJob(jobId: string): Promise<JobView>;
  /**
   * Lets the job make progress when this process is the sandbox's only runner (drives the sync queue
   * and hand-offs); a no-op where something else runs the jobs (`serve`, AWS).
   */
  advance(): Promise<void>;
}

/**
 * Jobs in a sandbox this process holds: calls the job lifecycle directly. With `drive`, this process
 * is the data directory's only process and runs the queued steps itself (no `serve` is running).
 */
export class SandboxJobsClient implements JobsClient {
  readonly target = "sandbox";
  readonly #sandbox: Sandbox;
  readonly #drive: boolean;

  constructor(sandbox: Sandbox, options: { drive: boolean }) {
    this.#sandbox = sandbox;
    this.#drive = options.drive;
  }

  async startSync(request: { vendorId: string; mode: SyncMode; dryRun: boolean }): Promise<JobView> {
    const started = await this.#sandbox.scheduled.jobs.start({ ...request, trigger: "cli" });
    if (!started.started) throw new Error(`not started: ${started.reason}`);
    return jobView(started.job);
  }

  async getJob(jobId: string): Promise<JobView> {
    return jobView(await this.#sandbox.scheduled.jobs.get(jobId));
  }

  async listJobs(options: { vendorId?: string; limit?: number }): Promise<JobView[]> {
    return (await this.#sandbox.scheduled.jobs.list(options)).map(jobView);
  }

  async cancelJob(jobId: string): Promise<JobView> {
    return jobView(await this.#sandbox.scheduled.jobs.cancel(jobId, "cli"));
  }

  async advance(): Promise<void> {
    if (!this.#drive) return;
    // One worker invocation at a time, so progress shows between them.
    if ((await this.#sandbox.scheduled.syncDriver.pollOnce()) === 0) await this.#sandbox.scheduled.batch.idle();
  }
}

/** Jobs of a running `vendor-sync serve`, through its local admin routes (the same routes as on AWS, no IAM). */
export class HttpJobsClient implements JobsClient {
  readonly target: string;
  readonly #base: string;
  readonly #fetch: typeof fetch;

  readonly #token: string | undefined;

  /** @param options.token - the data directory's admin token (`<data-dir>/admin-token`). */
  constructor(apiUrl: string, options: { fetch?: typeof fetch; token?: string } = {}) {
    this.#token = options.token;
    this.#base = apiUrl.replace(/\/$/, "");
    this.target = `sandbox at ${this.#base}`;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async #call(method: "GET" | "POST", path: string, body?: unknown): Promise<OperationResult> {
    const response = await this.#fetch(`${this.#base}${path}`, {
      method,
      headers: { "content-type": "application/json", ...authorizationHeader(this.#token) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as OperationResult | ErrorBody;
    if (!response.ok) throw new RemoteJobError(answer as ErrorBody);
    return answer as OperationResult;
  }

  async startSync(request: { vendorId: string; mode: SyncMode; dryRun: boolean }): Promise<JobView> {
    const result = await this.#call("POST", `/admin/vendors/${encodeURIComponent(request.vendorId)}/syncs`, {
      mode: request.mode,
      dryRun: request.dryRun,
    });
    return (result as { job: JobView }).job;
  }

  async getJob(jobId: string): Promise<JobView> {
    return ((await this.#call("GET", `/admin/jobs/${encodeURIComponent(jobId)}`)) as { job: JobView }).job;
  }

  async listJobs(options: { vendorId?: string; limit?: number }): Promise<JobView[]> {
    const query = options.limit === undefined ? "" : `?limit=${options.limit}`;
    const path = options.vendorId ? `/admin/vendors/${encodeURIComponent(options.vendorId)}/jobs` : "/admin/jobs";
    return ((await this.#call("GET", `${path}${query}`)) as { jobs: JobView[] }).jobs;
  }

  async cancelJob(jobId: string): Promise<JobView> {
    return ((await this.#call("POST", `/admin/jobs/${encodeURIComponent(jobId)}/cancel`)) as { job: JobView }).job;
  }

  async advance(): Promise<void> {}
}

/**
 * Jobs on AWS (`--target aws`): invokes the on-demand function, whose name comes from the stateless
 * stack's `OnDemandFunctionName` output. A thin adapter over the same operations; tested with
 * aws-sdk-client-mock only — **not verified against a real AWS account**.
 */
export class AwsJobsClient implements JobsClient {
  readonly target: string;
  readonly #lambda: LambdaClient;
  readonly #functionName: string;

  constructor(options: { lambda: LambdaClient; functionName: string }) {
    this.#lambda = options.lambda;
    this.#functionName = options.functionName;
    this.target = `AWS (${options.functionName})`;
  }

  async #invoke(operation: Record<string, unknown>): Promise<OperationResult> {
    const response = await this.#lambda.send(
      new InvokeCommand({
        FunctionName: this.#functionName,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(operation)),
      }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : "null";
    if (response.FunctionError) {
      const failure = JSON.parse(text) as { errorType?: string; errorMessage?: string } | null;
      throw new Error(
        `${this.#functionName} failed (${failure?.errorType ?? response.FunctionError}): ${failure?.errorMessage ?? text}`,
      );
    }
    const answer = JSON.parse(text) as SyncJobsResponse;
    if (!answer.ok) throw new RemoteJobError(answer.error);
    const { ok: _ok, ...result } = answer;
    return result as OperationResult;
  }

  async startSync(request: { vendorId: string; mode: SyncMode; dryRun: boolean }): Promise<JobView> {
    const result = await this.#invoke({
      operation: "startSync",
      ...request,
      trigger: "cli",
      requestedBy: "vendor-sync cli",
    });
    if (!("job" in result)) throw new Error("the on-demand function started no job");
    return result.job;
  }

  async getJob(jobId: string): Promise<JobView> {
    return ((await this.#invoke({ operation: "getJob", jobId })) as { job: JobView }).job;
  }

  async listJobs(options: { vendorId?: string; limit?: number }): Promise<JobView[]> {
    return ((await this.#invoke({ operation: "listJobs", ...options })) as { jobs: JobView[] }).jobs;
  }

  async cancelJob(jobId: string): Promise<JobView> {
    return ((await this.#invoke({ operation: "cancelJob", jobId, requestedBy: "vendor-sync cli" })) as { job: JobView })
      .job;
  }

  async advance(): Promise<void> {}
}

/**
 * Reads one output of a deployed stack (a function name for `--target aws`).
 * @throws {Error} when the stack or the output does not exist (not deployed, another stage).
 */
export async function stackOutput(
  cloudformation: CloudFormationClient,
  stackName: string,
  key: string,
): Promise<string> {
  const response = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = response.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key);
  if (!output?.OutputValue) {
    throw new Error(`stack ${stackName} has no ${key} output (deployed? another --stage?)`);
  }
  return output.OutputValue;
}

/** Reads the on-demand function's name from the stateless stack's outputs (`OnDemandFunctionName`). */
export function onDemandFunctionName(cloudformation: CloudFormationClient, stackName: string): Promise<string> {
  return stackOutput(cloudformation, stackName, "OnDemandFunctionName");
}

/**
 * Polls a job until it ends, reporting each state: the `--wait` loop of `vendor-sync sync`.
 * @param sleep - waits between polls (injected in tests). @param intervalMs - @default 500
 */
export async function waitForJob(
  client: JobsClient,
  jobId: string,
  options: { sleep: (ms: number) => Promise<void>; intervalMs?: number; onUpdate?: (job: JobView) => void },
): Promise<JobView> {
  for (;;) {
    await client.advance();
    const job = await client.getJob(jobId);
    options.onUpdate?.(job);
    if (isFinal(job)) return job;
    await options.sleep(options.intervalMs ?? 500);
  }
}
