import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { LOCAL_TABLES, StoreLayoutError, startEmbeddedDynamo } from "../../local/embedded-dynamodb.ts";
import { EmbeddedDynamoClient } from "../../local/embedded-dynamodb-client.ts";
import { openStoreInThread } from "../../local/embedded-dynamodb-host.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a sandbox store written by an older version", () => {
  it("is refused, naming the store, the table and both key layouts, and left as it was", async () => {
    // Prepare: the records table as versions before the pk/sk layout created it.
    const path = mkdtempSync(join(tmpdir(), "vendor-sync-old-layout-"));
    dirs.push(path);
    const store = openStoreInThread({ path });
    const client = new EmbeddedDynamoClient(store);
    await client.send(
      new CreateTableCommand({
        TableName: LOCAL_TABLES.records,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "vendorShard", AttributeType: "S" },
          { AttributeName: "typeKey", AttributeType: "S" },
        ],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        GlobalSecondaryIndexes: [
          {
            IndexName: "byVendor",
            KeySchema: [
              { AttributeName: "vendorShard", KeyType: "HASH" },
              { AttributeName: "typeKey", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "KEYS_ONLY" },
          },
        ],
      }),
    );
    client.destroy();
    await store.close();

    // Act
    const opening = startEmbeddedDynamo({ path });

    // Assess
    await expect(opening).rejects.toBeInstanceOf(StoreLayoutError);
    await expect(startEmbeddedDynamo({ path })).rejects.toThrow(
      `the sandbox store in ${path}: table vendor-sync-records is keyed pk (HASH) with 1 index(es), but this version keys it pk (HASH) + sk (RANGE)`,
    );
  });

  it("is not confused with a store of this version, which opens again", async () => {
    const path = mkdtempSync(join(tmpdir(), "vendor-sync-layout-"));
    dirs.push(path);
    await (await startEmbeddedDynamo({ path })).close();
    const again = await startEmbeddedDynamo({ path });
    expect(again.tables).toEqual(LOCAL_TABLES);
    await again.close();
  });
});
