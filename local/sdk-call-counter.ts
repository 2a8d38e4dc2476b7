import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { interceptCommands } from "./embedded-dynamodb-client.ts";

/**
 * Counts the DynamoDB commands a client sends (`PutItemCommand`, `BatchGetItemCommand`…) — an SDK
 * client or the sandbox's embedded one — so the demo, tests and benchmarks can show how many calls a
 * sync made.
 * @returns live counts by command name, and by `command@table` for single-table commands.
 */
export function countCommands(client: DynamoDBClient, name = "countCommands"): Map<string, number> {
  const counts = new Map<string, number>();
  interceptCommands(
    client,
    (call, next) => {
      counts.set(call.commandName, (counts.get(call.commandName) ?? 0) + 1);
      const table = call.input.TableName;
      if (typeof table === "string") {
        counts.set(`${call.commandName}@${table}`, (counts.get(`${call.commandName}@${table}`) ?? 0) + 1);
      }
      return next();
    },
    name,
  );
  return counts;
}
