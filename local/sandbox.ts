import { join } from "node:path";
import { loadVendorConfigs } from "../config/load-vendors.ts";
import { DynamoRecordStore, type RecordWrittenListener } from "../lambdas/adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../lambdas/adapters/dynamodb/sync-store.ts";
import { ValidationError } from "../lambdas/core/errors.ts";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import { writePolicyFor } from "../lambdas/core/vendor-config.ts";
import { ChangeWriter } from "../lambdas/core/write-path.ts";
import { acquireDataDir } from "./data-dir.ts";
import { type EmbeddedDynamo, startEmbeddedDynamo } from "./embedded-dynamodb.ts";

/** The sandbox's wiring: the same adapters and write path the Lambdas use, on the embedded store. */
export interface Sandbox {
  /** `undefined` for an in-memory sandbox. */
  readonly dataDir: string | undefined;
  readonly dynamo: EmbeddedDynamo;
  readonly vendors: ReadonlyMap<string, VendorConfig>;
  readonly records: DynamoRecordStore;
  readonly sync: DynamoSyncStore;
  readonly writer: ChangeWriter;
  /** @throws {ValidationError} naming the known vendors when `vendorId` is not one. */
  vendor(vendorId: string): VendorConfig;
  close(): Promise<void>;
}

export interface OpenSandboxOptions {
  /** Data directory; in memory when `undefined`. */
  readonly dataDir: string | undefined;
  /** The command taking ownership (shown to other processes). */
  readonly command: string;
  readonly vendors?: ReadonlyMap<string, VendorConfig>;
  /** Counts consumed capacity (benchmarks). */
  readonly onCapacity?: (operation: string, units: number) => void;
  readonly onWritten?: RecordWrittenListener;
}

/**
 * Opens the sandbox on a data directory (one process per directory) or in memory.
 * @throws {DataDirBusyError} when another process owns the directory.
 */
export async function openSandbox(options: OpenSandboxOptions): Promise<Sandbox> {
  const vendors = options.vendors ?? loadVendorConfigs();
  const release = options.dataDir ? acquireDataDir(options.dataDir, options.command) : () => {};
  let dynamo: EmbeddedDynamo;
  try {
    dynamo = await startEmbeddedDynamo(options.dataDir ? { path: join(options.dataDir, "dynamodb") } : {});
  } catch (error) {
    release();
    throw error;
  }
  const records = new DynamoRecordStore({
    client: dynamo.client,
    tableName: dynamo.tables.records,
    ...(options.onCapacity ? { onCapacity: options.onCapacity } : {}),
    ...(options.onWritten ? { onWritten: options.onWritten } : {}),
  });
  const sync = new DynamoSyncStore({ client: dynamo.client, tableName: dynamo.tables.sync });
  const vendor = (vendorId: string) => {
    const config = vendors.get(vendorId);
    if (!config) {
      throw new ValidationError(
        `unknown vendor ${JSON.stringify(vendorId)} (configured: ${[...vendors.keys()].join(", ")})`,
        {
          field: "--vendor",
          value: vendorId,
        },
      );
    }
    return config;
  };
  const writer = new ChangeWriter({
    records,
    conflicts: sync,
    policyFor: (vendorId, entityType) => writePolicyFor(vendor(vendorId), entityType),
  });
  return {
    dataDir: options.dataDir,
    dynamo,
    vendors,
    records,
    sync,
    writer,
    vendor,
    close: async () => {
      try {
        await dynamo.close();
      } finally {
        release();
      }
    },
  };
}
