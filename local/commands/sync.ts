import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { type Command, Option } from "commander";
import { isFinal, type JobView } from "../../lambdas/core/jobs/job.ts";
import { OUTCOMES } from "../../lambdas/core/model.ts";
import { exitCodeFor } from "../../lambdas/core/outcomes.ts";
import { regionForStage } from "../aws-target.ts";
import { wholeNumber } from "../cli-options.ts";
import type { JobsClient } from "../jobs-client.ts";
import { jobProgress } from "../output.ts";
import type { Sandbox } from "../sandbox.ts";
import { plural } from "../terminal.ts";

/** What the job commands need from the CLI (a narrow view of `cli.ts`'s context). */
export interface JobCommandsContext {
  readonly io: { out(text: string): void; err(text: string): void; readonly interactive: boolean };
  /** Runs `run` on this process's sandbox (opened on the data directory) or on the one `serve` holds. */
  readonly withSandbox: <T>(
    options: { dataDir?: string; inMemory?: boolean },
    command: string,
    run: (sandbox: Sandbox, owned: boolean) => Promise<T>,
  ) => Promise<T>;
  /** Set when a running `serve` holds the data directory: its admin routes. */
  readonly remote?: JobsClient;
  /** AWS clients for `--target aws` (tests pass mocked ones). @default new clients for `--region` */
  readonly aws?: { readonly lambda?: LambdaClient; readonly cloudformation?: CloudFormationClient };
  /** Waits between polls. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly setExitCode: (code: number) => void;
}

interface TargetOptions {
  target: "sandbox" | "aws";
  stage: string;
  region?: string;
  functionName?: string;
  dataDir?: string;
  inMemory?: boolean;
  json?: boolean;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The options every job command takes: where the jobs are, and `--json`. */
function targetOptions(command: Command): Command {
  return command
    .addOption(new Option("--target <target>", "where the jobs run").choices(["sandbox", "aws"]).default("sandbox"))
    .option("--stage <stage>", "with --target aws: the stage whose stack outputs name the function", "dev")
    .option(
      "--region <region>",
      "with --target aws: the stack's region (default: the stage config's, then the AWS SDK's)",
    )
    .option("--function-name <name>", "with --target aws: the on-demand function (default: from the stack outputs)")
    .option("--json", "print exactly one JSON object on one line (logs go to stderr)")
    .option("--data-dir <path>", "sandbox data directory (default: $VENDOR_SYNC_DATA_DIR or ./.vendor-sync/)")
    .option("--in-memory", "use a throw-away in-memory sandbox");
}

/**
 * Runs a job command against the right place: AWS (`--target aws`), a running `serve` (its admin
 * routes), or this process's own sandbox — which then also runs the job's steps itself (`owned`).
 */
async function withJobs<T>(
  ctx: JobCommandsContext,
  options: TargetOptions,
  command: string,
  run: (client: JobsClient, runsHere: boolean) => Promise<T>,
): Promise<T> {
  // Loaded when a job command runs, not when the CLI starts (its clients load the AWS SDK).
  const { AwsJobsClient, onDemandFunctionName, SandboxJobsClient } = await import("../jobs-client.ts");
  if (options.target === "aws") {
    const { CloudFormationClient } = await import("@aws-sdk/client-cloudformation");
    const { LambdaClient } = await import("@aws-sdk/client-lambda");
    const region = regionForStage(options.stage, options.region);
    const lambda = ctx.aws?.lambda ?? new LambdaClient(region);
    const functionName =
      options.functionName ??
      (await onDemandFunctionName(
        ctx.aws?.cloudformation ?? new CloudFormationClient(region),
        `VendorSync-${options.stage}`,
      ));
    ctx.io.err(`vendor-sync: --target aws invokes ${functionName} (a thin adapter, not verified against AWS)\n`);
    return run(new AwsJobsClient({ lambda, functionName }), false);
  }
  if (ctx.remote) return run(ctx.remote, false);
  return ctx.withSandbox(options, command, (sandbox, owned) =>
    run(new SandboxJobsClient(sandbox, { drive: owned }), owned),
  );
}

/** @returns a job as a person reads it: status, what it did, counts that visibly add up. */
export function formatJob(job: JobView): string {
  const took = job.durationMs === undefined ? "" : ` in ${(job.durationMs / 1000).toFixed(2)} s`;
  const dryRun = job.input.dryRun ? ", dry run" : "";
  // An import reads rows of a file; a pull (handed over or not) reads records from pages of an API.
  const file = job.workflow === "batch" && job.handoff === undefined;
  const flags = (
    file
      ? [`batch${dryRun}`, `${plural(job.rowsRead, "row")} read`, job.trigger]
      : [
          `${job.input.mode ?? "—"}${dryRun}`,
          plural(job.pagesFetched ?? 0, "page"),
          plural(job.rowsRead, "record"),
          job.trigger,
        ]
  ).join(", ");
  const lines = [
    `job ${job.jobId}  ${job.vendorId}  ${job.status}${took}  (${flags})`,
    `  received ${job.counts.received} = ${OUTCOMES.map((o) => `${o} ${job.counts[o]}`).join(" + ")}`,
    `  created ${new Date(job.createdAt).toISOString()}${job.heartbeatAt ? `, last heartbeat ${new Date(job.heartbeatAt).toISOString()}` : ""}`,
  ];
  if (job.cancelRequestedAt && !isFinal(job)) lines.push("  cancel requested: it stops at the next page");
  if (job.handoff) lines.push(`  handed to the batch workflow: ${job.handoff.executionId}`);
  if (job.rejectsFile) lines.push(`  rejects: ${job.rejectsFile}`);
  if (job.errorSummary) lines.push(`  ${job.status === "FAILED" ? "error" : "note"}: ${job.errorSummary}`);
  return lines.join("\n");
}

/** @returns jobs as a table, newest first. */
export function formatJobs(jobs: readonly JobView[]): string {
  if (jobs.length === 0) return "no jobs";
  return jobs
    .map(
      (job) =>
        `${job.jobId}  ${job.vendorId.padEnd(16)} ${job.status.padEnd(9)} ${new Date(job.createdAt).toISOString()}  ${String(job.input.mode ?? job.workflow).padEnd(11)} received ${job.counts.received}`,
    )
    .join("\n");
}

/** Adds `sync`, `jobs` and `job` to the program. */
export function registerJobCommands(program: Command, ctx: JobCommandsContext): void {
  const print = (options: { json?: boolean }, value: unknown, human: string) =>
    ctx.io.out(options.json ? `${JSON.stringify(value)}\n` : `${human}\n`);

  targetOptions(
    program
      .command("sync")
      .description("start a sync of a vendor's API or file drop (the scheduled workflow, on demand)")
      .requiredOption("--vendor <id>", "vendor id (config/vendors/<id>.json)")
      .option("--full", "read everything, not only what changed since the last sync (minus the lookback)")
      .option("--dry-run", "decide every change but write nothing")
      .option("--wait", "follow the job until it ends; the exit code is its status (0, 2 partial, 1 failed)")
      .option("--poll-interval <ms>", "with --wait: how often to look", wholeNumber(50, 60_000), 500),
  ).action(
    async (
      options: TargetOptions & {
        vendor: string;
        full?: boolean;
        dryRun?: boolean;
        wait?: boolean;
        pollInterval: number;
      },
    ) => {
      await withJobs(ctx, options, "sync", async (client, runsHere) => {
        const job = await client.startSync({
          vendorId: options.vendor,
          mode: options.full ? "full" : "incremental",
          dryRun: options.dryRun ?? false,
        });
        // Without `serve` this process is the only one that can run the job: it waits for it.
        if (!options.wait && !runsHere) {
          print(options, job, `${formatJob(job)}\n  follow it: npx vendor-sync job ${job.jobId}`);
          return;
        }
        const { waitForJob } = await import("../jobs-client.ts");
        const progress = options.json || !ctx.io.interactive ? undefined : jobProgress(options.vendor);
        let final: JobView;
        try {
          final = await waitForJob(client, job.jobId, {
            sleep: ctx.sleep ?? sleepFor,
            intervalMs: options.pollInterval,
            onUpdate: (current) => progress?.update(current),
          });
        } finally {
          progress?.stop();
        }
        print(options, final, formatJob(final));
        ctx.setExitCode(exitCodeFor(final.status));
      });
    },
  );

  targetOptions(
    program
      .command("jobs")
      .description("list sync jobs, newest first (one vendor, or all)")
      .option("--vendor <id>", "only this vendor's jobs")
      .option("--limit <n>", "at most this many (1–100)", wholeNumber(1, 100), 20),
  ).action(async (options: TargetOptions & { vendor?: string; limit: number }) => {
    const jobs = await withJobs(ctx, options, "jobs", (client) =>
      client.listJobs({ ...(options.vendor ? { vendorId: options.vendor } : {}), limit: options.limit }),
    );
    print(options, { jobs }, formatJobs(jobs));
  });

  targetOptions(
    program
      .command("job")
      .description("show one job (status, live counts, heartbeat, errors), or cancel it")
      .argument("<jobId>", "the job's id (a ULID)")
      .option("--cancel", "cancel it: a queued job at once, a running one at its next page"),
  ).action(async (jobId: string, options: TargetOptions & { cancel?: boolean }) => {
    const job = await withJobs(ctx, options, "job", (client) =>
      options.cancel ? client.cancelJob(jobId) : client.getJob(jobId),
    );
    print(options, job, formatJob(job));
  });
}
