/** `vendor-sync` — the CLI entry point (see local/cli.ts for the commands). */
import "../local/sandbox-env.ts";
import { main } from "../local/cli.ts";

await main(process.argv.slice(2));
