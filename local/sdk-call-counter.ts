import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * Counts the SDK commands a client sends (`PutItemCommand`, `BatchGetItemCommand`…) with a middleware,
 * so the demo, tests and benchmarks can show how many calls a sync made.
 * @returns live counts by command name, and by `command@table` for single-table commands.
 */
export function countCommands(client: DynamoDBClient, name = "countCommands"): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? "unknown");
      counts.set(command, (counts.get(command) ?? 0) + 1);
      const table = (args.input as { TableName?: string }).TableName;
      if (table) counts.set(`${command}@${table}`, (counts.get(`${command}@${table}`) ?? 0) + 1);
      return next(args);
    },
    { step: "initialize", name },
  );
  return counts;
}
