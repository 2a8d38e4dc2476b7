/**
 * `vendor-sync serve` on the command line (its work is in `serve-session.ts`, loaded when it runs):
 * the sandbox's webhook and admin routes, queues and their consumers, schedules, a local vendor API,
 * with vendor files and the secrets file reloaded on change and on SIGHUP.
 */
import type { Command } from "commander";
import { ValidationError } from "../../lambdas/core/errors.ts";
import type { CliIO } from "../cli.ts";
import { wholeNumber } from "../cli-options.ts";
import type { Sandbox } from "../sandbox.ts";
import type { CliRunner } from "../server.ts";

export interface ServeContext {
  readonly io: CliIO;
  /** Set when this command runs inside a `serve` already. */
  readonly sandbox?: Sandbox;
  /** Runs a forwarded command line inside this server (`apiUrl`: its address, once it listens). */
  readonly runCli: (sandbox: Sandbox, apiUrl: () => string) => CliRunner;
}

/** Adds `serve` to the program. */
export function registerServeCommand(program: Command, ctx: ServeContext): void {
  program
    .command("serve")
    .description(
      "run the local sandbox: webhook and admin routes, queues and their consumers, schedules, a local vendor API",
    )
    .option("--port <n>", "port of the local API (0: any free port)", wholeNumber(0, 65_535), 4580)
    .option(
      "--host <host>",
      "interface to listen on (default: loopback only; 0.0.0.0 exposes the webhook route)",
      "127.0.0.1",
    )
    .option("--data-dir <path>", "sandbox data directory (default: $VENDOR_SYNC_DATA_DIR or ./.vendor-sync/)")
    .action(async (options: { port: number; host: string; dataDir?: string }) => {
      if (ctx.sandbox) throw new ValidationError("already serving", { field: "serve" });
      const { serve } = await import("./serve-session.ts");
      await serve(ctx, options);
    });
}
