/**
 * 3. Resync: a first import of a Magento catalog, then the same catalog again a day later with about
 * 1 % of its changes different (prices moved by 1 %), through the real import path — `importFile`,
 * what `vendor-sync import` runs: prepare → plan Map → validate → apply Map → commit with the stage
 * handlers and the batch runner — on dynalite in its own process. Counts SDK calls and capacity on
 * the store client, S3 requests on the bucket folder, and this process's CPU (all stages' code).
 */
import { join } from "node:path";
import { billedPublishes, publishBatches } from "../../lambdas/core/realtime/publish-batches.ts";
import { importFile } from "../../local/commands/import.ts";
import { asSandbox, openImportSandbox } from "../lib/bench-sandbox.ts";
import { Figures } from "../lib/budget.ts";
import { CapacityMeter, total, totalCalls } from "../lib/capacity.ts";
import { AS_OF, magentoChangeInputs, magentoTable, writeMagentoCsv } from "../lib/fixtures.ts";
import { countObjectRequests, type ObjectRequests, stopCountingObjectRequests } from "../lib/object-requests.ts";
import { type DynaliteProcess, startDynaliteProcess } from "../lib/processes.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";

/** Share of the resync's changes that differ from the first import (one price per changed row). */
const CHANGED_SHARE = 0.01;

/** What one import cost. */
export interface ImportRun {
  readonly status: string;
  readonly rows: number;
  readonly changes: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly changesPerSecond: number;
  readonly calls: Readonly<Record<string, number>>;
  readonly callsPerChange: number;
  readonly rcuPerChange: number;
  /** Table units (reported, failed conditions included) plus the index units AWS adds, per change. */
  readonly wcuPerChange: number;
  readonly wcuByTable: Readonly<Record<string, number>>;
  readonly indexWcuByTable: Readonly<Record<string, number>>;
  readonly rcuByTable: Readonly<Record<string, number>>;
  /** This process's CPU (every stage, the runner, file I/O), µs per change. */
  readonly cpuUsPerChange: number;
  readonly storeCpuUsPerChange: number;
  readonly s3: ObjectRequests;
  /** Change notifications the writes cause, and what publishing them costs (publish-batches.ts). */
  readonly notifications: {
    readonly count: number;
    readonly bytes: number;
    /** `PublishBatch` requests. */
    readonly requests: number;
    /** Publishes SNS bills for them (per request, per 64 KB chunk). */
    readonly billedPublishes: number;
  };
}

async function measuredImport(
  sandbox: ReturnType<typeof openImportSandbox>,
  meter: CapacityMeter,
  dynamo: DynaliteProcess,
  file: string,
  asOf: number,
): Promise<ImportRun> {
  meter.reset();
  sandbox.notificationSizes.length = 0;
  const s3 = countObjectRequests();
  const storeBefore = dynamo.cpuMs();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let result: Awaited<ReturnType<typeof importFile>>;
  try {
    result = await importFile(asSandbox(sandbox), {
      vendorId: "magento-luma",
      file,
      asOf: new Date(asOf).toISOString(),
    });
  } finally {
    stopCountingObjectRequests();
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const storeMs = dynamo.cpuMs() - storeBefore;
  const snap = meter.snapshot();
  const changes = result.counts.received;
  return {
    status: result.status,
    rows: result.rowsRead,
    changes,
    counts: result.counts,
    seconds,
    rowsPerSecond: result.rowsRead / seconds,
    changesPerSecond: changes / seconds,
    calls: snap.calls,
    callsPerChange: totalCalls(snap) / changes,
    rcuPerChange: total(snap.rcu) / changes,
    wcuPerChange: (total(snap.wcu) + total(snap.indexWcu)) / changes,
    wcuByTable: snap.wcu,
    indexWcuByTable: snap.indexWcu,
    rcuByTable: snap.rcu,
    cpuUsPerChange: (cpu.user + cpu.system) / changes,
    storeCpuUsPerChange: (storeMs * 1000) / changes,
    s3: { ...s3, writesByKind: { ...s3.writesByKind } },
    notifications: {
      count: sandbox.notificationSizes.length,
      bytes: sandbox.notificationSizes.reduce((a, b) => a + b, 0),
      requests: publishBatches(sandbox.notificationSizes).length,
      billedPublishes: billedPublishes(sandbox.notificationSizes),
    },
  };
}

export async function resyncSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("resync");
  const target = options.quick ? 5_000 : 100_000;
  const changesPerRow = magentoChangeInputs().length / magentoTable().rows.length;
  const rows = Math.ceil(target / changesPerRow);
  const first = join(options.tmpDir, "resync-first.csv");
  const again = join(options.tmpDir, "resync-again.csv");
  await writeMagentoCsv(first, { minRows: rows });
  // One changed price per changed row: every k-th row, rounded down so that at least 1 % changes.
  const changedEvery = Math.max(1, Math.floor(1 / (CHANGED_SHARE * changesPerRow)));
  await writeMagentoCsv(again, { minRows: rows }, { changedEvery });

  const dynamo = await startDynaliteProcess();
  const sandbox = openImportSandbox(dynamo.endpoint, options.tmpDir);
  const meter = new CapacityMeter().attach(sandbox.client);
  try {
    options.log(`resync: first import of ${rows} rows`);
    const firstRun = await measuredImport(sandbox, meter, dynamo, first, AS_OF);
    options.log(`resync: the same catalog a day later, about 1 % changed`);
    const resync = await measuredImport(sandbox, meter, dynamo, again, AS_OF + 86_400_000);
    const unchangedShare = (resync.counts.unchanged ?? 0) / resync.changes;
    const scale = options.quick ? ` (quick: ${firstRun.changes} changes, not 100k)` : "";

    figures.info("firstRowsPerSecond", `first import: rows/s${scale}`, firstRun.rowsPerSecond, "rows/s");
    figures.info("firstChangesPerSecond", "first import: changes/s", firstRun.changesPerSecond, "changes/s");
    figures.info(
      "firstWcu",
      "first import: WCU per change (table + index + job items)",
      firstRun.wcuPerChange,
      "WCU/change",
    );
    figures.info("firstRcu", "first import: RCU per change", firstRun.rcuPerChange, "RCU/change");
    figures.info(
      "firstCpu",
      "first import: CPU per change, all stages (store excluded)",
      firstRun.cpuUsPerChange,
      "µs/change",
    );
    figures.info("resyncRowsPerSecond", `99 %-unchanged resync: rows/s${scale}`, resync.rowsPerSecond, "rows/s");
    figures.info(
      "resyncUnchangedShare",
      "resync: share of changes unchanged",
      unchangedShare * 100,
      "%",
      `${resync.counts.updated ?? 0} updated of ${resync.changes}`,
    );
    figures.budget(
      "resyncWcu",
      "99 %-unchanged resync: WCU per change",
      resync.wcuPerChange,
      "WCU/change",
      "<=",
      0.0105,
      `records ${(resync.wcuByTable["vendor-sync-records"] ?? 0).toFixed(0)} WCU, sync table (job) ${((resync.wcuByTable["vendor-sync-sync"] ?? 0) + (resync.indexWcuByTable["vendor-sync-sync"] ?? 0)).toFixed(0)} WCU incl. index`,
    );
    figures.budget("resyncRcu", "99 %-unchanged resync: RCU per change", resync.rcuPerChange, "RCU/change", "<=", 0.5);
    figures.info(
      "resyncCpu",
      "resync: CPU per change, all stages (store excluded)",
      resync.cpuUsPerChange,
      "µs/change",
    );
    return { figures: figures.list, details: { rowsPerFile: rows, first: firstRun, resync } };
  } finally {
    sandbox.close();
    await dynamo.close();
  }
}
