/**
 * Takes a data directory from its own process and holds it until killed (a stand-in for any
 * vendor-sync command that owns it): `node --import tsx test/support/hold-data-dir.ts <dir> [--on-go]`
 * prints `held <pid>` once it holds it, or `busy <message>` and exits 1. With `--on-go` it first
 * prints `ready` and waits for a line on stdin, so racing processes start their attempt together.
 */
import { once } from "node:events";
import { acquireDataDir, DataDirBusyError } from "../../local/data-dir.ts";

const [dir, mode] = process.argv.slice(2);
if (!dir) throw new Error("usage: hold-data-dir.ts <dir> [--on-go]");
if (mode === "--on-go") {
  process.stdout.write("ready\n");
  await once(process.stdin, "data");
}
try {
  await acquireDataDir(dir, "hold-data-dir");
  process.stdout.write(`held ${process.pid}\n`);
  setInterval(() => {}, 60_000);
} catch (error) {
  if (!(error instanceof DataDirBusyError)) throw error;
  process.stdout.write(`busy ${error.message}\n`);
  process.exit(1);
}
