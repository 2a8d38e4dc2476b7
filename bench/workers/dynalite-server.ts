/**
 * Runs the embedded DynamoDB (dynalite, in memory, the project's tables) in its own process, so the
 * benchmark process measures only the client's CPU. Prints `{"endpoint": …}` on one line, then
 * serves until its parent closes stdin or sends SIGTERM.
 */
import { startEmbeddedDynamo } from "../../local/embedded-dynamodb.ts";

const dynamo = await startEmbeddedDynamo();
process.stdout.write(`${JSON.stringify({ endpoint: dynamo.endpoint, pid: process.pid })}\n`);
const stop = async () => {
  await dynamo.close();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
