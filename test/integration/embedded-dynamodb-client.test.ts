import type { AddressInfo } from "node:net";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedDynamo } from "../../local/embedded-dynamodb.ts";
import { ensureTables, localDynamoClient, startEmbeddedDynamo } from "../../local/embedded-dynamodb.ts";
import { countCommands } from "../../local/sdk-call-counter.ts";

// The same commands, on two fresh stores: dynalite's HTTP server through the AWS SDK, and the
// sandbox's in-process client. Every answer and every error must be the SDK's.
const T = "vendor-sync-records";
const key = (id: string) => ({ pk: { S: "v#1" }, sk: { S: `product#${id}` } });
const item = (id: string, extra: Record<string, unknown> = {}) => ({
  ...key(id),
  version: { N: "1" },
  blob: { B: new Uint8Array([0, 1, 2, 250, 255]) },
  attributes: { M: { title: { S: "Ünïcode ✓" }, tags: { SS: ["a", "b"] }, price: { N: "12.50" } } },
  ...extra,
});

/** Each step: a command to send to both clients (fresh command objects for each). */
const steps: [string, () => { constructor: unknown; input: unknown }][] = [
  [
    "create",
    () =>
      new PutItemCommand({
        TableName: T,
        Item: item("a"),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
        ReturnConsumedCapacity: "TOTAL",
      }),
  ],
  [
    "create again fails",
    () =>
      new PutItemCommand({
        TableName: T,
        Item: item("a"),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
      }),
  ],
  [
    "replace with ALL_OLD",
    () => new PutItemCommand({ TableName: T, Item: item("a", { version: { N: "2" } }), ReturnValues: "ALL_OLD" }),
  ],
  [
    "get",
    () => new GetItemCommand({ TableName: T, Key: key("a"), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }),
  ],
  ["get missing", () => new GetItemCommand({ TableName: T, Key: key("missing") })],
  [
    "batch write",
    () =>
      new BatchWriteItemCommand({
        RequestItems: { [T]: ["b", "c", "d"].map((id) => ({ PutRequest: { Item: item(id) } })) },
        ReturnConsumedCapacity: "TOTAL",
      }),
  ],
  [
    "batch get",
    () =>
      new BatchGetItemCommand({
        RequestItems: { [T]: { Keys: ["a", "b", "missing"].map(key) } },
        ReturnConsumedCapacity: "TOTAL",
      }),
  ],
  [
    "query a shard, one page",
    () =>
      new QueryCommand({
        TableName: T,
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "pk" },
        ExpressionAttributeValues: { ":s": { S: "v#1" } },
        Limit: 2,
      }),
  ],
  [
    "query the next page",
    () =>
      new QueryCommand({
        TableName: T,
        KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "pk" },
        ExpressionAttributeValues: { ":s": { S: "v#1" } },
        ExclusiveStartKey: key("b"),
      }),
  ],
  [
    "update with ALL_NEW",
    () =>
      new UpdateItemCommand({
        TableName: T,
        Key: key("b"),
        UpdateExpression: "SET #v = #v + :one",
        ConditionExpression: "#v = :one",
        ExpressionAttributeNames: { "#v": "version" },
        ExpressionAttributeValues: { ":one": { N: "1" } },
        ReturnValues: "ALL_NEW",
      }),
  ],
  [
    "update on a stale condition",
    () =>
      new UpdateItemCommand({
        TableName: T,
        Key: key("b"),
        UpdateExpression: "SET #v = :one",
        ConditionExpression: "#v = :one",
        ExpressionAttributeNames: { "#v": "version" },
        ExpressionAttributeValues: { ":one": { N: "1" } },
      }),
  ],
  ["delete with ALL_OLD", () => new DeleteItemCommand({ TableName: T, Key: key("c"), ReturnValues: "ALL_OLD" })],
  ["scan", () => new ScanCommand({ TableName: T, ProjectionExpression: "pk, version" })],
  [
    "a malformed expression",
    () => new GetItemCommand({ TableName: T, Key: key("a"), ProjectionExpression: "#missing" }),
  ],
  ["an unknown table", () => new GetItemCommand({ TableName: "nope", Key: key("a") })],
  ["list tables", () => new ListTablesCommand({})],
  // A condition the store parsed before, now with a name it does not use: the same refusal.
  [
    "an unused expression name",
    () =>
      new PutItemCommand({
        TableName: T,
        Item: item("u"),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk", "#unused": "version" },
      }),
  ],
  [
    "the same condition on another name",
    () =>
      new PutItemCommand({
        TableName: T,
        Item: item("a"),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "version" },
      }),
  ],
];

const outcome = async (client: DynamoDBClient, command: { constructor: unknown; input: unknown }) => {
  try {
    const { $metadata: _metadata, ...output } = (await client.send(command as PutItemCommand)) as unknown as Record<
      string,
      unknown
    >;
    // BatchGetItem answers in no particular order, over HTTP too.
    const responses = output.Responses as Record<string, { pk?: { S?: string }; sk?: { S?: string } }[]> | undefined;
    const keyOf = (item: { pk?: { S?: string }; sk?: { S?: string } }) =>
      `${item.pk?.S ?? ""}\u0000${item.sk?.S ?? ""}`;
    for (const items of Object.values(responses ?? {})) items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    return { output };
  } catch (error) {
    const e = error as Error & { $fault?: string };
    return { error: { name: e.name, message: e.message, fault: e.$fault, class: e.constructor.name } };
  }
};

describe.each(["caller", "own"] as const)("the embedded DynamoDB client, the store on the %s thread", (thread) => {
  let embedded: EmbeddedDynamo;
  let server: ReturnType<typeof dynalite>;
  let sdk: DynamoDBClient;

  beforeAll(async () => {
    embedded = await startEmbeddedDynamo({ thread });
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    sdk = localDynamoClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await ensureTables(sdk);
  });
  afterAll(async () => {
    sdk.destroy();
    await new Promise((resolve) => server.close(resolve));
    await embedded.close();
  });

  it("answers every command the adapters send as the SDK over HTTP answers it, errors included", async () => {
    for (const [name, make] of steps) {
      const overHttp = await outcome(sdk, make());
      const inProcess = await outcome(embedded.client, make());
      expect({ step: name, ...inProcess }).toEqual({ step: name, ...overHttp });
    }
  });

  it("hands back blobs as bytes, timestamps as dates and modelled errors as their SDK classes", async () => {
    await embedded.client.send(new PutItemCommand({ TableName: T, Item: item("bytes") }));
    const { Item } = await embedded.client.send(new GetItemCommand({ TableName: T, Key: key("bytes") }));
    expect(Item?.blob?.B).toEqual(new Uint8Array([0, 1, 2, 250, 255]));
    const { Table } = await embedded.client.send(new DescribeTableCommand({ TableName: T }));
    expect(Table?.CreationDateTime).toBeInstanceOf(Date);
    await expect(
      embedded.client.send(
        new PutItemCommand({ TableName: T, Item: item("bytes"), ConditionExpression: "attribute_not_exists(pk)" }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await expect(embedded.client.send(new GetItemCommand({ TableName: "nope", Key: key("a") }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it("sees a table deleted and created again (no table description outlives its table)", async () => {
    const keyedOn = (name: string): CreateTableCommandInput => ({
      TableName: "scratch",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: name, AttributeType: "S" }],
      KeySchema: [{ AttributeName: name, KeyType: "HASH" }],
    });
    const active = async () => {
      for (let i = 0; i < 100; i++) {
        const { Table } = await embedded.client.send(new DescribeTableCommand({ TableName: "scratch" }));
        if (Table?.TableStatus === "ACTIVE") return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const put = () => embedded.client.send(new PutItemCommand({ TableName: "scratch", Item: item("s") }));
    await embedded.client.send(new CreateTableCommand(keyedOn("pk")));
    await active();
    await put();
    await embedded.client.send(new DeleteTableCommand({ TableName: "scratch" }));
    await expect(put()).rejects.toBeInstanceOf(ResourceNotFoundException);
    // Deleting ends a moment later (as on AWS): create it again once it is gone.
    for (let i = 0; i < 100; i++) {
      const gone = await embedded.client.send(new DescribeTableCommand({ TableName: "scratch" })).then(
        () => false,
        (error: unknown) => error instanceof ResourceNotFoundException,
      );
      if (gone) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await embedded.client.send(new CreateTableCommand(keyedOn("other")));
    await active();
    // The new key schema applies: an item without it is refused.
    await expect(
      embedded.client.send(new PutItemCommand({ TableName: "scratch", Item: { pk: { S: "no-other" } } })),
    ).rejects.toThrow(/Missing the key other/);
  });

  it("fails a command it does not carry, naming it", async () => {
    await expect(embedded.client.send(new TransactWriteItemsCommand({ TransactItems: [] }))).rejects.toThrow(
      "the embedded DynamoDB client does not carry TransactWriteItemsCommand",
    );
  });

  it("counts commands per client, as the SDK middleware counts them", async () => {
    const other = embedded.newClient();
    const counts = countCommands(other);
    await other.send(new GetItemCommand({ TableName: T, Key: key("a") }));
    await other.send(new GetItemCommand({ TableName: T, Key: key("b") }));
    await embedded.client.send(new GetItemCommand({ TableName: T, Key: key("a") }));
    expect(Object.fromEntries(counts)).toEqual({ GetItemCommand: 2, [`GetItemCommand@${T}`]: 2 });
  });
});
