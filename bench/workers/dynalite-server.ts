/**
 * Runs dynalite's HTTP server (in memory, the project's tables) in its own process, so the benchmark
 * process measures only the client's CPU. Prints `{"endpoint": …}` on one line, then serves until
 * its parent closes stdin or sends SIGTERM.
 */
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { ensureTables, localDynamoClient } from "../../local/embedded-dynamodb.ts";

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const client = localDynamoClient(endpoint);
await ensureTables(client);
client.destroy();
process.stdout.write(`${JSON.stringify({ endpoint, pid: process.pid })}\n`);
const stop = () => {
  server.closeAllConnections?.();
  server.close(() => process.exit(0));
};
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
