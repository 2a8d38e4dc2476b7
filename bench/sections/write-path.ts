/**
 * 2. The write path on the embedded store: `ChangeInterpreter.writeBatch` (BatchGetItem, decide,
 * conditional PutItem) against raw conditional PutItem of the same items, at the same number of
 * requests in flight, in the same run and the same dynalite (its own process, so this process's CPU
 * is the client's alone). BatchWriteItem for reference. Every contender builds its items in the timed
 * phase (`toItem`: marshalling, and Brotli for items over 1 KB); only the write path's own work
 * (BatchGetItem, decide, conditions) is extra. Each round times the write path and raw PutItem back to
 * back on fresh keys (their order alternating by round); the budget is the median of the rounds'
 * ratios, since on a shared machine the load moves between rounds, and a best-of-each ratio pairs
 * the raw contender's luckiest moment with another moment of the write path.
 */
import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import pLimit from "p-limit";
import { median } from "simple-statistics";
import { toItem } from "../../lambdas/adapters/dynamodb/record-item.ts";
import { DynamoRecordStore } from "../../lambdas/adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../../lambdas/adapters/dynamodb/sync-store.ts";
import { type Change, toChange } from "../../lambdas/core/change.ts";
import { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import { decide } from "../../lambdas/core/conflict-rules.ts";
import type { SyncRecord } from "../../lambdas/core/record.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { writePolicyFor } from "../../lambdas/core/vendor-policy.ts";
import { LOCAL_TABLES, localDynamoClient } from "../../local/embedded-dynamodb.ts";
import { Figures } from "../lib/budget.ts";
import { CapacityMeter, type CapacitySnapshot, total, totalCalls } from "../lib/capacity.ts";
import { contextFor, magentoChangeInputs, vendor } from "../lib/fixtures.ts";
import { type DynaliteProcess, startDynaliteProcess } from "../lib/processes.ts";
import { putAbsent } from "../lib/raw-puts.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";

/** DynamoDB requests in flight, for every contender. */
export const IN_FLIGHT = 16;
/** Changes per `writeBatch` (one BatchGetItem), as the processor and the pipeline use it. */
const BATCH = 100;
/** Lanes of sequential batches; each writes with IN_FLIGHT / LANES in parallel. */
const LANES = 2;

/** What one timed phase cost. */
export interface PhaseResult {
  readonly changes: number;
  readonly seconds: number;
  readonly changesPerSecond: number;
  readonly callsPerChange: number;
  readonly calls: Readonly<Record<string, number>>;
  /** Client CPU (this process: SDK, HTTP, the write path), µs per change. */
  readonly clientCpuUsPerChange: number;
  /** The store's CPU (dynalite's process), µs per change. */
  readonly storeCpuUsPerChange: number;
  readonly rcuPerChange: number;
  /** Table write units per change (as reported, failed conditions included). */
  readonly wcuPerChange: number;
  /** Index write units AWS adds (the sync table's `byVendor`, for conflicts: capacity.ts), per change. */
  readonly indexWcuPerChange: number;
  readonly outcomes?: Readonly<Record<string, number>>;
}

/** Builds `count` changes of the Luma catalog for one vendor id (keys suffixed per copy of the file). */
export function catalogChanges(config: VendorConfig, count: number, keySuffix: string): Change[] {
  const inputs = magentoChangeInputs();
  const context = { ...contextFor(config), vendorId: config.id };
  const changes: Change[] = [];
  for (let copy = 0; changes.length < count; copy++) {
    for (const input of inputs) {
      if (changes.length >= count) break;
      changes.push(toChange({ ...input, entityKey: `${input.entityKey}${keySuffix}-${copy}` }, context));
    }
  }
  return changes;
}

async function timed(
  dynamo: DynaliteProcess,
  meter: CapacityMeter,
  changes: number,
  work: () => Promise<Record<string, number> | undefined>,
): Promise<PhaseResult> {
  meter.reset();
  const storeBefore = dynamo.cpuMs();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const outcomes = await work();
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const storeMs = dynamo.cpuMs() - storeBefore;
  const snap: CapacitySnapshot = meter.snapshot();
  return {
    changes,
    seconds,
    changesPerSecond: changes / seconds,
    callsPerChange: totalCalls(snap) / changes,
    calls: snap.calls,
    clientCpuUsPerChange: (cpu.user + cpu.system) / changes,
    storeCpuUsPerChange: (storeMs * 1000) / changes,
    rcuPerChange: total(snap.rcu) / changes,
    wcuPerChange: total(snap.wcu) / changes,
    indexWcuPerChange: total(snap.indexWcu) / changes,
    ...(outcomes ? { outcomes } : {}),
  };
}

function writer(client: DynamoDBClient, config: VendorConfig): ChangeInterpreter {
  const records = new DynamoRecordStore({ client, tableName: LOCAL_TABLES.records });
  return new ChangeInterpreter({
    records,
    conflicts: new DynamoSyncStore({ client, tableName: LOCAL_TABLES.sync }),
    policyFor: (_vendorId, entityType) => writePolicyFor(config, entityType),
    writeConcurrency: IN_FLIGHT / LANES,
  });
}

/** Runs changes through `writeBatch` in {@link LANES} lanes of sequential batches. */
async function runWritePath(w: ChangeInterpreter, changes: readonly Change[]): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const batches: Change[][] = [];
  for (let i = 0; i < changes.length; i += BATCH) batches.push(changes.slice(i, i + BATCH));
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] as Change[];
        for (const result of await w.writeBatch(batch)) outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
      }
    }),
  );
  return outcomes;
}

/** The records the write path would write for these changes (decided as creates), not yet items. */
function recordsOf(config: VendorConfig, changes: readonly Change[]): SyncRecord[] {
  const now = Date.now();
  return changes.map((change) => {
    const decision = decide(undefined, change, writePolicyFor(config, change.entityType), now);
    if (decision.action !== "write") throw new Error(`${change.entityKey}: not a create`);
    return decision.record;
  });
}

/** Raw conditional PutItem of the records' items, each item built (`toItem`) as it is sent, as the write path does. */
async function runRawPut(client: DynamoDBClient, records: readonly SyncRecord[]): Promise<undefined> {
  await putAbsent(client, LOCAL_TABLES.records, records, toItem, IN_FLIGHT);
  return undefined;
}

async function runBatchWrite(client: DynamoDBClient, records: readonly SyncRecord[]): Promise<undefined> {
  const limit = pLimit(IN_FLIGHT);
  const chunks: SyncRecord[][] = [];
  for (let i = 0; i < records.length; i += 25) chunks.push(records.slice(i, i + 25));
  await Promise.all(
    chunks.map((chunk) =>
      limit(async () => {
        let pending: { PutRequest: { Item: Record<string, AttributeValue> } }[] = chunk.map((record) => ({
          PutRequest: { Item: toItem(record) },
        }));
        while (pending.length > 0) {
          const response = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [LOCAL_TABLES.records]: pending } }),
          );
          pending = (response.UnprocessedItems?.[LOCAL_TABLES.records] ?? []) as typeof pending;
        }
      }),
    ),
  );
  return undefined;
}

/**
 * The round at the median rate (the lower of the middle two for an even count): the round the
 * figures and the cost model report, as the budget takes the median of the rounds' ratios.
 */
export const medianRound = (rounds: readonly PhaseResult[]): PhaseResult =>
  [...rounds].sort((a, b) => a.changesPerSecond - b.changesPerSecond)[
    Math.floor((rounds.length - 1) / 2)
  ] as PhaseResult;

export async function writePathSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("writePath");
  const count = options.quick ? 600 : 12_000;
  const rounds = options.quick ? 3 : 5;
  const warm = options.quick ? 200 : 600;
  const dynamo = await startDynaliteProcess();
  const client = localDynamoClient(dynamo.endpoint);
  const meter = new CapacityMeter().attach(client);
  const config = vendor("magento-luma");
  try {
    // Warm the client, the connections and the store's JIT (not measured).
    await runWritePath(writer(client, config), catalogChanges(config, warm, "-warm"));
    await runRawPut(client, recordsOf(config, catalogChanges(config, warm, "-warmraw")));

    const writePath: PhaseResult[] = [];
    const raw: PhaseResult[] = [];
    const batchWrite: PhaseResult[] = [];
    let unchanged: PhaseResult | undefined;
    for (let round = 0; round < rounds; round++) {
      options.log(`write path: round ${round + 1} of ${rounds} (${count} changes each)`);
      const changes = catalogChanges(config, count, `-wp${round}`);
      const w = writer(client, config);
      const rawRecords = recordsOf(config, catalogChanges(config, count, `-raw${round}`));
      const timeRaw = async () => raw.push(await timed(dynamo, meter, count, () => runRawPut(client, rawRecords)));
      if (round % 2 === 1) await timeRaw();
      writePath.push(await timed(dynamo, meter, count, () => runWritePath(w, changes)));
      if (round % 2 === 0) await timeRaw();
      if (round === 0) unchanged = await timed(dynamo, meter, count, () => runWritePath(w, changes));
      const batchRecords = recordsOf(config, catalogChanges(config, count, `-bw${round}`));
      batchWrite.push(await timed(dynamo, meter, count, () => runBatchWrite(client, batchRecords)));
    }
    const wp = medianRound(writePath);
    const rp = medianRound(raw);
    const bw = medianRound(batchWrite);
    const again = unchanged as PhaseResult;
    // Each round's write path / raw PutItem, in % (rounds paired by index).
    const ratiosPercent = writePath.map(
      (w, i) => (w.changesPerSecond / (raw[i] as PhaseResult).changesPerSecond) * 100,
    );
    const ratio = median(ratiosPercent);

    figures.info("writePathRate", "write path (creates): changes/s", wp.changesPerSecond, "changes/s");
    figures.info("rawPutRate", "raw conditional PutItem: changes/s", rp.changesPerSecond, "changes/s");
    figures.budget(
      "writePathVsRawPut",
      "write path / raw conditional PutItem, same concurrency",
      ratio,
      "%",
      ">=",
      90,
      `${IN_FLIGHT} requests in flight each, items built in the timed phase by both; median of ${rounds} rounds' ratios (${count} creates each, back to back)`,
    );
    figures.info(
      "batchWriteRate",
      "BatchWriteItem (25 per call, reference): changes/s",
      bw.changesPerSecond,
      "changes/s",
    );
    figures.info("callsPerChange", "write path: SDK calls per change (creates)", wp.callsPerChange, "calls/change");
    figures.info(
      "clientCpu",
      "write path: client CPU per change (SDK + decide + HTTP)",
      wp.clientCpuUsPerChange,
      "µs/change",
    );
    figures.info("rawClientCpu", "raw PutItem: client CPU per change", rp.clientCpuUsPerChange, "µs/change");
    figures.info("rcuPerChange", "write path: RCU per change (creates)", wp.rcuPerChange, "RCU/change");
    figures.info(
      "wcuPerChange",
      "write path: WCU per change (creates, table + index)",
      wp.wcuPerChange + wp.indexWcuPerChange,
      "WCU/change",
      `table ${wp.wcuPerChange.toFixed(3)} + index ${wp.indexWcuPerChange.toFixed(3)}`,
    );
    figures.info(
      "unchangedCalls",
      "write path, same changes again (unchanged): SDK calls per change",
      again.callsPerChange,
      "calls/change",
    );
    figures.info("unchangedRcu", "write path, unchanged: RCU per change", again.rcuPerChange, "RCU/change");
    figures.info(
      "unchangedWcu",
      "write path, unchanged: WCU per change",
      again.wcuPerChange + again.indexWcuPerChange,
      "WCU/change",
    );
    return {
      figures: figures.list,
      details: {
        inFlight: IN_FLIGHT,
        lanes: LANES,
        batchSize: BATCH,
        changesPerRound: count,
        rounds,
        ratiosPercent,
        writePath,
        rawPut: raw,
        batchWrite,
        unchanged: again,
      },
    };
  } finally {
    client.destroy();
    await dynamo.close();
  }
}
