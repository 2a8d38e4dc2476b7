import type { AttributeValue, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { itemSize } from "../../lambdas/adapters/dynamodb/item-size.ts";
import { SYNC_TABLE } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { LOCAL_TABLES } from "../../local/embedded-dynamodb.ts";
import { interceptCommands } from "../../local/embedded-dynamodb-client.ts";

/** Commands that take `ReturnConsumedCapacity`. */
const READS = new Set(["GetItemCommand", "BatchGetItemCommand", "QueryCommand", "ScanCommand"]);
const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand"]);

/** What one meter counted. */
export interface CapacitySnapshot {
  /** SDK calls by command name (`PutItemCommand`…), failed ones included. */
  readonly calls: Readonly<Record<string, number>>;
  /** Read capacity units by table, as the store reported them. */
  readonly rcu: Readonly<Record<string, number>>;
  /** Write capacity units by table: reported, plus ≥ 1 per failed conditional write. */
  readonly wcu: Readonly<Record<string, number>>;
  /** Index write units DynamoDB on AWS would add (dynalite reports none), by table. */
  readonly indexWcu: Readonly<Record<string, number>>;
  readonly conditionFailures: number;
}

/** @returns the sum of a by-table map. */
export const total = (byTable: Readonly<Record<string, number>>): number =>
  Object.values(byTable).reduce((sum, n) => sum + n, 0);

/** @returns all calls of a snapshot. */
export const totalCalls = (snapshot: CapacitySnapshot): number => total(snapshot.calls);

interface Consumed {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
}

/**
 * Index writes the sync table causes on AWS for one successful write, which dynalite does not
 * report: its `byVendor` index projects ALL attributes, and jobs and conflicts carry the index keys,
 * so every write of them rewrites the projected copy — as many units as the table write. The records
 * table has no index (its keys list a vendor's records: `table-design.ts`).
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.ThroughputConsiderations.Writes
 */
export function indexWritesOf(command: string, input: Record<string, unknown>, tableUnits: number): number {
  if (input.TableName !== LOCAL_TABLES.sync) return 0;
  const item = input.Item as Record<string, AttributeValue> | undefined;
  const key = input.Key as Record<string, AttributeValue> | undefined;
  const indexed = item?.[SYNC_TABLE.byVendorPartitionKey] !== undefined || /^(JOB|CONFLICT)#/.test(key?.pk?.S ?? "");
  return indexed && command !== "DeleteItemCommand" ? tableUnits : 0;
}

/**
 * Counts DynamoDB calls and capacity with a client middleware: asks every read and write for
 * `ReturnConsumedCapacity: TOTAL` (dynalite answers like DynamoDB: items rounded up to 4 KB for reads,
 * half for eventually consistent ones; 1 KB for writes), counts a failed conditional write as what
 * AWS bills for it (the item's write units, at least 1), and adds the index writes of
 * {@link indexWritesOf}. Attach it before the measured work; {@link CapacityMeter.reset} between phases.
 */
export class CapacityMeter {
  #calls = new Map<string, number>();
  #rcu = new Map<string, number>();
  #wcu = new Map<string, number>();
  #indexWcu = new Map<string, number>();
  #conditionFailures = 0;

  /** Adds the middleware to a client (once per client). */
  attach(client: DynamoDBClient, name = "benchCapacityMeter"): this {
    interceptCommands(
      client,
      async (call, next) => {
        const command = call.commandName;
        const input = call.input;
        const isRead = READS.has(command);
        const isWrite = WRITES.has(command);
        if (isRead || isWrite) input.ReturnConsumedCapacity = "TOTAL";
        this.#add(this.#calls, command, 1);
        try {
          const output = await next();
          const consumed = (output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
          for (const entry of consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed]) {
            const table = entry.TableName ?? String(input.TableName ?? "?");
            const units = entry.CapacityUnits ?? 0;
            this.#add(isRead ? this.#rcu : this.#wcu, table, units);
            if (isWrite && command !== "BatchWriteItemCommand") {
              this.#add(this.#indexWcu, table, indexWritesOf(command, input, units));
            }
          }
          return output;
        } catch (error) {
          if ((error as { name?: string }).name === "ConditionalCheckFailedException") {
            this.#conditionFailures++;
            const item = input.Item as Record<string, AttributeValue> | undefined;
            const units = item ? Math.max(1, Math.ceil(itemSize(item).bytes / 1024)) : 1;
            this.#add(this.#wcu, String(input.TableName ?? "?"), units);
          }
          throw error;
        }
      },
      name,
    );
    return this;
  }

  #add(map: Map<string, number>, key: string, n: number): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  /** Forgets everything counted so far. */
  reset(): void {
    this.#calls = new Map();
    this.#rcu = new Map();
    this.#wcu = new Map();
    this.#indexWcu = new Map();
    this.#conditionFailures = 0;
  }

  snapshot(): CapacitySnapshot {
    return {
      calls: Object.fromEntries(this.#calls),
      rcu: Object.fromEntries(this.#rcu),
      wcu: Object.fromEntries(this.#wcu),
      indexWcu: Object.fromEntries(this.#indexWcu),
      conditionFailures: this.#conditionFailures,
    };
  }
}
