/**
 * `vendor-sync vendors` and `vendors show --vendor <id>` (their work is in `vendor-details.ts`,
 * loaded when one runs).
 */
import type { Command } from "commander";
import type { Sandbox } from "../sandbox.ts";

/** What the `vendors` commands need from the CLI. */
export interface VendorsContext {
  readonly io: { out(text: string): void };
  /** Set when the command runs inside `serve`: its live configuration. */
  readonly sandbox?: Sandbox;
  /** Serve's own address, when the command runs inside it. */
  readonly apiUrl?: string;
}

/** Adds `vendors` and `vendors show` to the program. */
export function registerVendorCommands(program: Command, ctx: VendorsContext): void {
  const json = (value: unknown) => ctx.io.out(`${JSON.stringify(value)}\n`);
  const vendors = program
    .command("vendors")
    .description("list the configured vendors (and invalid vendor files, with their problems)")
    .option("--json", "print exactly one JSON object on one line (logs go to stderr)")
    .option("--data-dir <path>", "sandbox data directory (default: $VENDOR_SYNC_DATA_DIR or ./.vendor-sync/)")
    .action(async (options: { json?: boolean }) => {
      const { formatVendorList, listVendors } = await import("./vendor-details.ts");
      const list = listVendors(ctx.sandbox);
      if (options.json) json({ vendors: list });
      else ctx.io.out(`${formatVendorList(list)}\n`);
    });
  vendors
    .command("show")
    .description("one vendor: webhook URL, scheme and headers, where its secret is, channels and schedule")
    .requiredOption("--vendor <id>", "vendor id")
    .option("--json", "print exactly one JSON object on one line (logs go to stderr)")
    .option("--data-dir <path>", "sandbox data directory (default: $VENDOR_SYNC_DATA_DIR or ./.vendor-sync/)")
    .action(async (_options: unknown, command: Command) => {
      // `vendors` has the same --json and --data-dir, and takes them wherever they are typed.
      const options = command.optsWithGlobals<{ vendor: string; json?: boolean; dataDir?: string }>();
      const { formatVendor, showVendor } = await import("./vendor-details.ts");
      const details = showVendor(ctx.sandbox, options.vendor, {
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(ctx.apiUrl ? { apiUrl: ctx.apiUrl } : {}),
      });
      if (options.json) json(details);
      else ctx.io.out(`${formatVendor(details)}\n`);
    });
}
