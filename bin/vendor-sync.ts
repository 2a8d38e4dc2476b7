/** `vendor-sync` — the CLI entry point (see local/cli.ts for the commands). */
import { main } from "../local/cli.ts";

await main(process.argv.slice(2));
