import { Command, CommanderError, Option } from "commander";
import { ConfigError, ValidationError } from "../lambdas/core/errors.ts";
import { exitCodeFor } from "../lambdas/core/outcomes.ts";
import { importFile } from "./commands/import.ts";
import { formatRecords, listRecords } from "./commands/records.ts";
import { DataDirBusyError, resolveDataDir } from "./data-dir.ts";
import { formatImportSummary, printJson, terminalProgress } from "./output.ts";
import { openSandbox, type Sandbox } from "./sandbox.ts";

interface CommonOptions {
  dataDir?: string;
  inMemory?: boolean;
  json?: boolean;
}

/** Errors a user caused (bad flags, unknown vendor, missing file): printed plainly, exit 1. */
function isUsageError(error: unknown): boolean {
  return (
    error instanceof ValidationError ||
    error instanceof ConfigError ||
    error instanceof DataDirBusyError ||
    error instanceof CommanderError
  );
}

async function withSandbox<T>(
  options: CommonOptions,
  command: string,
  run: (sandbox: Sandbox) => Promise<T>,
): Promise<T> {
  const sandbox = await openSandbox({
    dataDir: options.inMemory ? undefined : resolveDataDir(options.dataDir),
    command,
  });
  try {
    return await run(sandbox);
  } finally {
    await sandbox.close();
  }
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
 * 1 failed, cancelled or bad usage.
 */
export function buildProgram(): Command {
  const program = new Command("vendor-sync")
    .description("Sync vendor data (catalog, prices, inventory, order status) into DynamoDB — local sandbox CLI")
    .showHelpAfterError()
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
      const result = await withSandbox(options, "import", (sandbox) =>
        importFile(sandbox, {
          vendorId: options.vendor,
          file,
          ...(options.asOf ? { asOf: options.asOf } : {}),
          ...batchImportOptions(options),
          ...(options.json ? {} : { progress: terminalProgress(options.vendor) }),
        }),
      );
      if (options.json) printJson(result);
      else process.stdout.write(`${formatImportSummary(result)}\n`);
      process.exitCode = exitCodeFor(result.status);
    });

  program
    .command("records")
    .description("show stored records with their provenance (source, sourceTs, last event and job)")
    .requiredOption("--vendor <id>", "vendor id")
    .option("--type <entityType>", "product, price, inventory or order")
    .option("--key <entityKey>", "one entity key")
    .option("--limit <n>", "at most this many records", (value) => Number.parseInt(value, 10), 50)
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (options: CommonOptions & { vendor: string; type?: string; key?: string; limit: number }) => {
      const records = await withSandbox(options, "records", (sandbox) =>
        listRecords(sandbox, {
          vendorId: options.vendor,
          ...(options.type ? { entityType: options.type } : {}),
          ...(options.key ? { entityKey: options.key } : {}),
          limit: options.limit,
        }),
      );
      if (options.json) printJson({ records });
      else process.stdout.write(`${formatRecords(records)}\n`);
    });

  return program;
}

/** Runs the CLI: parses `argv`, maps errors to exit codes and messages. */
export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv as string[], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exitCode = error.exitCode === 0 ? 0 : 1;
      if (json && error.exitCode !== 0) printJson({ error: { message: error.message } });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (json) {
      printJson({
        error: { message, ...(error instanceof ValidationError && error.field ? { field: error.field } : {}) },
      });
    }
    process.stderr.write(`vendor-sync: ${message}\n`);
    if (!isUsageError(error) && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
