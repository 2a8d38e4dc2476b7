import { resolve } from "node:path";
import { Command, CommanderError, Option } from "commander";
import type { AdminCommand } from "../lambdas/admin-operations/admin-operations.ts";
import { ConcurrentUpdateError, ConfigError, ValidationError, VendorSyncError } from "../lambdas/core/errors.ts";
import type { DeadLetter, QueueDepth, RedriveResult } from "../lambdas/core/operations/dead-letters.ts";
import type { ReplayOutcome } from "../lambdas/core/operations/replay-webhooks.ts";
import type { Resolution } from "../lambdas/core/operations/resolve-conflict.ts";
import { exitCodeFor } from "../lambdas/core/outcomes.ts";
import type { ConflictItem } from "../lambdas/core/ports.ts";
import { authorizationHeader, readAdminToken } from "./admin-token.ts";
import { AwsSetupError, explainAwsError, regionForStage } from "./aws-target.ts";
import { applyCliConventions, commandPathOf, isUsageFailure, usageMessage } from "./cli-conventions.ts";
import { wholeNumber } from "./cli-options.ts";
import type { ProgressReporter } from "./commands/import.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { type JobCommandsContext, registerJobCommands } from "./commands/sync.ts";
import { registerVendorCommands } from "./commands/vendors.ts";
import { registerWebhookCommands, type WebhookSendContext } from "./commands/webhook-send.ts";
import { currentOwner, DataDirBusyError, resolveDataDir } from "./data-dir.ts";
import { forwardCli } from "./forwarded-cli.ts";
import {
  formatConflict,
  formatConflictLine,
  formatDeadLetter,
  formatImportSummary,
  terminalProgress,
} from "./output.ts";
import { RemoteJobError, RemoteOperationError } from "./remote-errors.ts";
import type { Sandbox } from "./sandbox.ts";
import type { OpenSandboxStoreOptions, SandboxStore } from "./sandbox-store.ts";
import { canStyle, plural } from "./terminal.ts";

/** Where a command writes, and whether it may draw on a terminal. */
export interface CliIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly interactive: boolean;
  /** A progress bar for an import (a terminal's, or one streamed back to a forwarding terminal); none when absent. */
  readonly progress?: (label: string) => ProgressReporter | undefined;
}

/** What the commands run against: the process's own sandbox, or the one `serve` holds. */
export interface CliContext {
  readonly io: CliIO;
  /** Set when the command runs inside `vendor-sync serve`. */
  readonly sandbox?: Sandbox;
  /** Directory relative paths are resolved against (the caller's, when forwarded). @default process.cwd() */
  readonly cwd?: string;
  /** Job commands (`sync`, `jobs`, `job`): a running `serve`'s admin routes, AWS clients, the poll sleep. */
  readonly jobs?: Pick<JobCommandsContext, "remote" | "aws" | "sleep">;
  /** `serve`'s own address, for commands forwarded into it (`webhook send`, `vendors show`). */
  readonly apiUrl?: string;
  /** AWS clients of `webhook send --target aws` (tests pass mocked ones). */
  readonly webhookAws?: WebhookSendContext["aws"];
}

interface CommonOptions {
  dataDir?: string;
  inMemory?: boolean;
  json?: boolean;
}

const progressOf = (reporter: ProgressReporter | undefined) => (reporter ? { progress: reporter } : {});

/** Errors a user caused (bad flags, unknown vendor, missing file): printed plainly, exit 1. */
/** The option a user typed for a field the shared operations name (`vendorId` is `--vendor` here). */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  vendorId: "--vendor",
  since: "--since",
  until: "--until",
};

function isUsageError(error: unknown): boolean {
  return (
    error instanceof VendorSyncError ||
    error instanceof RemoteJobError ||
    error instanceof RemoteOperationError ||
    error instanceof ValidationError ||
    error instanceof ConcurrentUpdateError ||
    error instanceof ConfigError ||
    error instanceof DataDirBusyError ||
    error instanceof AwsSetupError ||
    error instanceof CommanderError
  );
}

type ImportOptions = CommonOptions & { vendor: string; asOf?: string; dryRun?: boolean; full?: boolean };

/** `--dry-run` and `--full`, and where unexpected stage failures are reported (their stack, on stderr). */
function batchImportOptions(options: ImportOptions) {
  return {
    dryRun: options.dryRun ?? false,
    full: options.full ?? false,
    onError: (error: unknown) => {
      if (isUsageError(error) || !(error instanceof Error)) return;
      process.stderr.write(`vendor-sync: ${error.stack ?? error.message}\n`);
    },
  };
}

const dataDirOption = () =>
  new Option("--data-dir <path>", "sandbox data directory (default: $VENDOR_SYNC_DATA_DIR or ./.vendor-sync/)");
const jsonOption = () => new Option("--json", "print exactly one JSON object on one line (logs go to stderr)");

/**
 * Builds the `vendor-sync` program. Exit codes: 0 succeeded (a dry run included), 2 partial,
 * 1 failed, cancelled or bad usage. Commands set `exitCode` on the returned holder.
 */
export function buildProgram(ctx: CliContext): { program: Command; result: { exitCode: number } } {
  const result = { exitCode: 0 };
  const { io } = ctx;
  const json = (value: unknown) => io.out(`${JSON.stringify(value)}\n`);

  /**
   * Runs `run` on `serve`'s sandbox, or on one this process opens on the data directory and closes.
   * `open` is the sandbox, or only its store for commands that just read records (the workflows'
   * modules, and the AWS SDK clients they use, are then never loaded).
   */
  async function opened<S extends SandboxStore, T>(
    options: CommonOptions,
    command: string,
    open: (options: OpenSandboxStoreOptions) => Promise<S>,
    run: (sandbox: S | Sandbox) => Promise<T>,
  ): Promise<T> {
    if (ctx.sandbox) return run(ctx.sandbox);
    const sandbox = await open({ dataDir: options.inMemory ? undefined : resolveDataDir(options.dataDir), command });
    // One bad vendor file does not stop the others; it is named on every command until it is fixed.
    for (const [vendorId, error] of sandbox.configs.invalid) {
      io.err(
        `vendor-sync: warning: ${error.file} is invalid, vendor ${vendorId} is unavailable (vendor-sync vendors shows why)\n`,
      );
    }
    try {
      return await run(sandbox);
    } finally {
      await sandbox.close();
    }
  }
  const withSandbox = <T>(options: CommonOptions, command: string, run: (sandbox: Sandbox) => Promise<T>) =>
    opened(options, command, async (o) => (await import("./sandbox.ts")).openSandbox(o), run);
  const withStore = <T>(options: CommonOptions, command: string, run: (store: SandboxStore) => Promise<T>) =>
    opened(options, command, async (o) => (await import("./sandbox-store.ts")).openSandboxStore(o), run);

  const program = new Command("vendor-sync")
    .description("Sync vendor data (catalog, prices, inventory, order status) into DynamoDB — local sandbox CLI")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command("import")
    .description("batch-sync a CSV or JSON Lines file into the store")
    .requiredOption("--vendor <id>", "vendor id (config/vendors/<id>.json)")
    .argument("<file>", "CSV or JSON Lines (.jsonl) file")
    .option("--as-of <time>", "ISO 8601 time of the data, for rows without their own (default: the file's mtime)")
    .option("--dry-run", "plan and validate only: print what would change, write nothing")
    .option("--full", "the file is a full snapshot: records absent from it are deleted (mass-deletion guard applies)")
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .option("--in-memory", "use a throw-away in-memory store")
    .action(async (file: string, options: ImportOptions) => {
      const { importFile } = await import("./commands/import.ts");
      const summary = await withSandbox(options, "import", (sandbox) =>
        importFile(sandbox, {
          vendorId: options.vendor,
          file: resolve(ctx.cwd ?? process.cwd(), file),
          ...(options.asOf ? { asOf: options.asOf } : {}),
          ...batchImportOptions(options),
          ...progressOf(options.json ? undefined : io.progress?.(options.vendor)),
        }),
      );
      if (options.json) json(summary);
      else io.out(`${formatImportSummary(summary)}\n`);
      result.exitCode = exitCodeFor(summary.status);
    });

  program
    .command("records")
    .description("show stored records with their provenance (source, sourceTs, last event and job)")
    .requiredOption("--vendor <id>", "vendor id")
    .option("--type <entityType>", "product, price, inventory or order")
    .option("--key <entityKey>", "one entity key")
    .option("--limit <n>", "at most this many records (1–10000)", wholeNumber(1, 10_000), 50)
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: CommonOptions & { vendor: string; type?: string; key?: string; limit: number }) => {
      const { formatRecords, listRecords, recordsForJson } = await import("./commands/records.ts");
      const records = await withStore(options, "records", (sandbox) =>
        listRecords(sandbox, {
          vendorId: options.vendor,
          ...(options.type ? { entityType: options.type } : {}),
          ...(options.key ? { entityKey: options.key } : {}),
          limit: options.limit,
        }),
      );
      if (options.json) json({ records: recordsForJson(records) });
      else io.out(`${formatRecords(records)}\n`);
    });

  const by = () => process.env.USER ?? process.env.USERNAME ?? "admin";

  type OpsOptions = CommonOptions & {
    target: "sandbox" | "aws";
    stage: string;
    region?: string;
    functionName?: string;
  };
  /** `--target`, `--stage`, `--region`, `--function-name`, `--json`, `--data-dir` for an operations command. */
  const opsOptions = (command: Command) =>
    command
      .addOption(new Option("--target <target>", "where to run it").choices(["sandbox", "aws"]).default("sandbox"))
      .option("--stage <stage>", "with --target aws: the stage whose stack outputs name the function", "dev")
      .option(
        "--region <region>",
        "with --target aws: the stack's region (default: the stage config's, then the AWS SDK's)",
      )
      .option(
        "--function-name <name>",
        "with --target aws: the admin-operations function (default: from the stack outputs)",
      )
      .addOption(jsonOption())
      .addOption(dataDirOption());

  /**
   * Runs an admin command where `--target` says: the deployed admin-operations function, or the
   * sandbox (the same `runAdminCommand`), whose queues this process then drains when it owns them.
   */
  async function ops(options: OpsOptions, command: AdminCommand): Promise<unknown> {
    const { AwsOpsClient, SandboxOpsClient } = await import("./ops-client.ts");
    if (options.target === "aws") {
      const client = await AwsOpsClient.forStage({
        stage: options.stage,
        ...regionForStage(options.stage, options.region),
        ...(options.functionName ? { functionName: options.functionName } : {}),
        ...(ctx.jobs?.aws?.lambda ? { lambda: ctx.jobs.aws.lambda } : {}),
        ...(ctx.jobs?.aws?.cloudformation ? { cloudformation: ctx.jobs.aws.cloudformation } : {}),
      });
      io.err(`vendor-sync: --target aws invokes ${client.target} (a thin adapter, not verified against AWS)\n`);
      return client.run(command);
    }
    return withSandbox(options, command.action.split(".")[0] ?? "ops", async (sandbox) => {
      const result = await new SandboxOpsClient(sandbox).run(command);
      const requeues =
        command.action === "dlq.redrive" ||
        command.action === "vendor.resume" ||
        (command.action === "webhooks.replay" && !command.dryRun);
      // Without a running `serve`, this process drains the queues itself.
      if (!ctx.sandbox && requeues) {
        await sandbox.realtimeDriver.drain();
        await sandbox.scheduled.settle();
      }
      return result;
    });
  }

  opsOptions(
    program
      .command("replay")
      .description("re-run archived raw webhook deliveries through the write path (idempotent)")
      .requiredOption("--vendor <id>", "vendor id")
      .option("--since <time>", "ISO 8601: deliveries received at or after (default: the vendor's whole archive)")
      .option("--until <time>", "ISO 8601: deliveries received before (default: now)")
      .option("--dry-run", "count and map what would be replayed; send nothing"),
  ).action(async (options: OpsOptions & { vendor: string; since?: string; until?: string; dryRun?: boolean }) => {
    // On AWS one invoke handles what fits in its time budget; continue where it stopped.
    const total = { found: 0, queued: 0, ignored: 0, unmappable: [] as ReplayOutcome["unmappable"], calls: 0 };
    let after: string | undefined;
    let last: ReplayOutcome;
    do {
      last = (await ops(options, {
        action: "webhooks.replay",
        vendorId: options.vendor,
        ...(options.since ? { since: options.since } : {}),
        ...(options.until ? { until: options.until } : {}),
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(after ? { after } : {}),
      })) as ReplayOutcome;
      total.found += last.found;
      total.queued += last.queued;
      total.ignored += last.ignored;
      total.unmappable.push(...last.unmappable);
      total.calls++;
      after = last.resumeAfter;
    } while (!last.complete && after);
    const replayed = { vendorId: last.vendorId, dryRun: last.dryRun, ...total };
    if (options.json) json(replayed);
    else {
      io.out(
        replayed.dryRun
          ? `dry run: would replay ${replayed.found - replayed.ignored - replayed.unmappable.length} of ${replayed.found} archived deliveries of ${replayed.vendorId}\n`
          : `replayed ${replayed.queued} of ${replayed.found} archived deliveries of ${replayed.vendorId}\n`,
      );
      for (const u of replayed.unmappable) io.out(`  not replayed: ${u.archiveKey}: ${u.reason}\n`);
    }
    result.exitCode = replayed.unmappable.length > 0 ? 2 : 0;
  });

  const conflicts = program.command("conflicts").description("review manual-review conflicts");
  opsOptions(
    conflicts
      .command("list")
      .description("open (or resolved, or superseded) conflicts, oldest first")
      .option("--vendor <id>", "one vendor (default: all)")
      .option("--resolved", "list resolved conflicts instead of open ones")
      .option("--superseded", "list conflicts closed because a newer change of their record was applied first"),
  ).action(async (options: OpsOptions & { vendor?: string; resolved?: boolean; superseded?: boolean }) => {
    const { conflicts: items } = (await ops(options, {
      action: "conflicts.list",
      ...(options.vendor ? { vendorId: options.vendor } : {}),
      status: options.resolved ? "RESOLVED" : options.superseded ? "SUPERSEDED" : "OPEN",
    })) as { conflicts: ConflictItem[] };
    if (options.json) json({ conflicts: items });
    else io.out(`${items.length === 0 ? "no conflicts" : items.map(formatConflictLine).join("\n")}\n`);
  });
  opsOptions(
    conflicts.command("show").description("one conflict: current vs incoming, field diff").argument("<conflictId>"),
  ).action(async (conflictId: string, options: OpsOptions) => {
    const conflict = (await ops(options, { action: "conflicts.show", conflictId })) as ConflictItem;
    if (options.json) json(conflict);
    else io.out(`${formatConflict(conflict)}\n`);
  });
  opsOptions(
    conflicts
      .command("resolve")
      .description("accept the incoming change, keep the current record, or supply values (version-checked)")
      .argument("<conflictId>")
      .option("--accept", "apply the incoming change as proposed")
      .option("--reject", "keep the current record")
      .option("--edit <json>", 'apply these values, e.g. \'{"title":"Bag","amount":"36.50"}\'')
      .option("--by <name>", "who resolves it (default: $USER; the IAM caller through the admin API)"),
  ).action(
    async (
      conflictId: string,
      options: OpsOptions & { accept?: boolean; reject?: boolean; edit?: string; by?: string },
    ) => {
      const chosen = [options.accept, options.reject, options.edit !== undefined].filter(Boolean).length;
      if (chosen !== 1)
        throw new ValidationError("choose exactly one of --accept, --reject, --edit <json>", { field: "--accept" });
      let resolution: Resolution;
      if (options.edit !== undefined) {
        let values: unknown;
        try {
          values = JSON.parse(options.edit);
        } catch {
          throw new ValidationError("--edit must be a JSON object of attribute values", { field: "--edit" });
        }
        if (typeof values !== "object" || values === null || Array.isArray(values)) {
          throw new ValidationError("--edit must be a JSON object of attribute values", { field: "--edit" });
        }
        resolution = { action: "edit", values: values as Record<string, unknown> };
      } else {
        resolution = { action: options.accept ? "accept" : "reject" };
      }
      const resolved = (await ops(options, {
        action: "conflicts.resolve",
        conflictId,
        resolution,
        by: options.by ?? by(),
      })) as {
        conflict: ConflictItem;
        record: { version: number } | null;
        written: boolean;
      };
      if (options.json) json(resolved);
      else {
        const r = resolved.conflict.resolution;
        io.out(
          `conflict ${conflictId} resolved (${r?.action}) by ${r?.by}${resolved.written ? `; record now at version ${resolved.record?.version}` : "; record kept as it was"}\n`,
        );
      }
    },
  );

  const dlq = program.command("dlq").description("dead-letter queues: inspect and redrive");
  opsOptions(dlq.command("list").description("depth of every queue and its dead-letter queue")).action(
    async (options: OpsOptions) => {
      const { queues: depths } = (await ops(options, { action: "dlq.list" })) as { queues: QueueDepth[] };
      if (options.json) json({ queues: depths });
      else {
        for (const d of depths) {
          const oldest = d.oldestDeadLetterSentAt
            ? `, oldest sent ${new Date(d.oldestDeadLetterSentAt).toISOString()}`
            : "";
          io.out(
            `${d.queue.padEnd(12)} ${String(d.messages).padStart(5)} queued   ${d.deadLetterQueue.padEnd(16)} ${String(d.deadLetters).padStart(5)} dead letters${oldest}\n`,
          );
        }
      }
    },
  );
  opsOptions(
    dlq
      .command("show")
      .description("peek at dead letters (body, attributes, receive count, last error) without processing them")
      .argument("<queue>", "queue name (realtime, sync)")
      .argument("[messageId]", "one message"),
  ).action(async (queue: string, messageId: string | undefined, options: OpsOptions) => {
    const { messages: all } = (await ops(options, { action: "dlq.show", queue, limit: 100 })) as {
      messages: DeadLetter[];
    };
    const messages = messageId ? all.filter((m) => m.messageId === messageId) : all;
    if (messageId && messages.length === 0)
      throw new ValidationError(`no message ${messageId} in ${queue.replace(/-dlq$/, "")}-dlq`, { field: "messageId" });
    if (options.json) json({ messages });
    else io.out(`${messages.length === 0 ? "no dead letters" : messages.map(formatDeadLetter).join("\n")}\n`);
  });
  opsOptions(
    dlq
      .command("redrive")
      .description("move dead letters back to their queue, rate-capped; they go through the idempotent path again")
      .argument("<queue>", "queue name (realtime, sync)")
      .option("--rate <n>", "messages per second (1–500, as on AWS)", wholeNumber(1, 500), 10),
  ).action(async (queue: string, options: OpsOptions & { rate: number }) => {
    const moved = (await ops(options, { action: "dlq.redrive", queue, ratePerSecond: options.rate })) as RedriveResult;
    if (options.json) json(moved);
    else if (moved.taskHandle)
      io.out(`redrive of ${moved.queue}-dlq started (message-move task ${moved.taskHandle})\n`);
    else io.out(`moved ${plural(moved.moved ?? 0, "message")} from ${moved.queue}-dlq back to ${moved.queue}\n`);
  });

  const vendor = program.command("vendor").description("vendor controls");
  for (const action of ["pause", "resume"] as const) {
    opsOptions(
      vendor
        .command(action)
        .description(
          action === "pause"
            ? "pause a vendor: webhooks still accepted and archived, changes parked outside the queue, schedules skipped"
            : "resume a vendor: parked changes are re-queued and processed once",
        )
        .requiredOption("--vendor <id>", "vendor id")
        .option("--by <name>", "who (default: $USER)"),
    ).action(async (options: OpsOptions & { vendor: string; by?: string }) => {
      const result = (await ops(options, {
        action: `vendor.${action}`,
        vendorId: options.vendor,
        by: options.by ?? by(),
      })) as {
        vendorId: string;
        requeued?: number;
      };
      if (options.json) json(result);
      else {
        io.out(
          action === "pause"
            ? `vendor ${result.vendorId} paused\n`
            : `vendor ${result.vendorId} resumed; ${plural(result.requeued ?? 0, "parked change message")} re-queued\n`,
        );
      }
    });
  }

  registerJobCommands(program, {
    io,
    ...ctx.jobs,
    withSandbox: (options, command, run) =>
      ctx.sandbox ? run(ctx.sandbox, false) : withSandbox(options, command, (sandbox) => run(sandbox, true)),
    setExitCode: (code) => {
      result.exitCode = code;
    },
  });

  const here = {
    ...(ctx.sandbox ? { sandbox: ctx.sandbox } : {}),
    ...(ctx.apiUrl ? { apiUrl: ctx.apiUrl } : {}),
  };
  registerVendorCommands(program, { io, ...here });
  registerWebhookCommands(program, {
    io,
    ...here,
    ...(ctx.cwd ? { cwd: ctx.cwd } : {}),
    ...(ctx.webhookAws ? { aws: ctx.webhookAws } : {}),
    setExitCode: (code) => {
      result.exitCode = code;
    },
  });
  registerServeCommand(program, {
    io,
    ...(ctx.sandbox ? { sandbox: ctx.sandbox } : {}),
    runCli: (sandbox, apiUrl) => (argv, cwd, progress) =>
      runCli(argv, { sandbox, apiUrl: apiUrl(), ...(cwd ? { cwd } : {}), ...(progress ? { progress } : {}) }),
  });

  applyCliConventions(program, io.err);
  return { program, result };
}

/**
 * Runs one command line against a context and returns its exit code; output goes to `ctx.io`.
 * Used by the process entry point and by `serve` for forwarded commands.
 */
export async function runWith(argv: readonly string[], ctx: CliContext): Promise<number> {
  const { program, result } = buildProgram(ctx);
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv as string[], { from: "user" });
    return result.exitCode;
  } catch (thrown) {
    const error = explainAwsError(thrown);
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander already printed the usage error as one line.
      if (!isUsageFailure(error)) return error.exitCode === 0 ? 0 : 1;
      if (json) ctx.io.out(`${JSON.stringify({ error: { message: usageMessage(error.message) } })}\n`);
      ctx.io.err(`see '${commandPathOf(program, argv)} --help'\n`);
      return 1;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (json) {
      const field = error instanceof ValidationError && error.field ? { field: error.field } : {};
      ctx.io.out(`${JSON.stringify({ error: { message, ...field } })}\n`);
    }
    // On the terminal, name where the problem is (an option, a field) when the message does not.
    const field = error instanceof ValidationError ? error.field : undefined;
    const option = field ? (OPTION_OF_FIELD[field] ?? field) : undefined;
    const where = option && !option.startsWith("<") && !message.includes(option) ? `${option}: ` : "";
    ctx.io.err(`vendor-sync: ${where}${message}\n`);
    if (!isUsageError(error) && error instanceof Error && error.stack) ctx.io.err(`${error.stack}\n`);
    return 1;
  }
}

/** Runs a command inside `serve`, collecting its output for the caller (and streaming progress when asked). */
async function runCli(
  argv: readonly string[],
  ctx: { sandbox: Sandbox; apiUrl: string; cwd?: string; progress?: CliIO["progress"] },
) {
  let stdout = "";
  let stderr = "";
  const exitCode = await runWith(argv, {
    sandbox: ctx.sandbox,
    apiUrl: ctx.apiUrl,
    ...(ctx.cwd ? { cwd: ctx.cwd } : {}),
    io: {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      interactive: false,
      ...(ctx.progress ? { progress: ctx.progress } : {}),
    },
  });
  return { exitCode, stdout, stderr };
}

/** Commands that run against a serving sandbox's admin routes instead of being forwarded. */
const JOB_COMMANDS = new Set(["sync", "jobs", "job"]);

/** `--data-dir` from an argument list (for forwarding decisions before commander parses). */
function dataDirFlag(argv: readonly string[]): string | undefined {
  const index = argv.indexOf("--data-dir");
  if (index >= 0) return argv[index + 1];
  return argv.find((arg) => arg.startsWith("--data-dir="))?.slice("--data-dir=".length);
}

/**
 * The process entry point: when `vendor-sync serve` owns the data directory, the command runs there
 * (one process per data directory); otherwise here.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const io: CliIO = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
    ...(canStyle(process.stderr) ? { progress: terminalProgress } : {}),
  };
  const command = argv.find((arg) => !arg.startsWith("-"));
  const onAws = argv.includes("--target=aws") || argv.some((arg, i) => arg === "--target" && argv[i + 1] === "aws");
  if (command && command !== "serve" && !onAws && !argv.includes("--in-memory") && !argv.includes("--help")) {
    const dataDir = resolveDataDir(dataDirFlag(argv));
    const owner = currentOwner(dataDir);
    const token = readAdminToken(dataDir);
    if (owner?.apiUrl && JOB_COMMANDS.has(command)) {
      // Job commands talk to serve's admin routes from here, so `sync --wait` shows live progress.
      const { HttpJobsClient } = await import("./jobs-client.ts");
      const remote = new HttpJobsClient(owner.apiUrl, token ? { token } : {});
      process.exitCode = await runWith(argv, { io, jobs: { remote } });
      return;
    }
    if (owner?.apiUrl) {
      try {
        process.exitCode = await forwardCli(owner.apiUrl, { argv, cwd: process.cwd() }, io, authorizationHeader(token));
        return;
      } catch (error) {
        io.err(`vendor-sync: the sandbox server at ${owner.apiUrl} does not answer (${String(error)})\n`);
        process.exitCode = 1;
        return;
      }
    }
  }
  process.exitCode = await runWith(argv, { io });
}
