/**
 * The benchmarks' raw contender: conditional PutItem of each item with nothing else around it, the
 * condition the write path puts on a create (`attribute_not_exists` on the key, `recordConditions.absent`).
 */
import { type AttributeValue, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import pLimit from "p-limit";
import { recordConditions } from "../../lambdas/adapters/dynamodb/record-store.ts";

/**
 * Puts each source's item, `inFlight` requests at a time, each item built (`itemOf`) as it is sent.
 * @throws the first failed PutItem's error (a `ConditionalCheckFailedException` when an item exists).
 */
export async function putAbsent<T>(
  client: DynamoDBClient,
  tableName: string,
  sources: readonly T[],
  itemOf: (source: T) => Record<string, AttributeValue>,
  inFlight: number,
): Promise<void> {
  const limit = pLimit(inFlight);
  const absent = recordConditions.absent();
  await Promise.all(
    sources.map((source) =>
      limit(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: itemOf(source),
            ConditionExpression: absent.expression,
            ExpressionAttributeNames: absent.names,
          }),
        ),
      ),
    ),
  );
}
