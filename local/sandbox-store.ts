import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoRecordStore } from "../lambdas/adapters/dynamodb/record-store.ts";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import { acquireDataDir } from "./data-dir.ts";
import { type EmbeddedDynamo, startEmbeddedDynamo } from "./embedded-dynamodb.ts";
import { resolveVendorsDir, SandboxVendors } from "./vendor-configs.ts";

/**
 * The store under the sandbox: the data directory (owned by this process), the embedded DynamoDB on
 * it, the vendors and the records table. What a command that only reads records needs — opened
 * without loading the workflows (`openSandbox` builds them on top of it).
 */
export interface SandboxStore {
  /** The data directory (a temporary one for an in-memory store). */
  readonly dataDir: string;
  readonly inMemory: boolean;
  /** This process's ownership of the data directory (see `DataDirOwner.session`). */
  readonly session: string;
  readonly dynamo: EmbeddedDynamo;
  /** Valid vendor configurations by id (updated in place when `serve` reloads them). */
  readonly vendors: ReadonlyMap<string, VendorConfig>;
  /** The vendor folder as read: invalid files named (the others keep working), reloads. */
  readonly configs: SandboxVendors;
  /** The records table (the sandbox's own adapter also publishes each write's change notification). */
  readonly records: DynamoRecordStore;
  /** @throws {ValidationError} naming the known vendors when `vendorId` is not one, or the problems of its invalid file. */
  vendor(vendorId: string): VendorConfig;
  /** Stops the embedded DynamoDB and gives the data directory back. */
  close(): Promise<void>;
}

export interface OpenSandboxStoreOptions {
  /** Data directory; a throw-away one when `undefined`. */
  readonly dataDir: string | undefined;
  /** The command taking ownership (shown to other processes). */
  readonly command: string;
  /** The local API URL, when the owner serves one (`vendor-sync serve`). */
  readonly apiUrl?: string;
  /** Vendor configurations given in code (tests); otherwise read from `vendorsDir`. */
  readonly vendors?: ReadonlyMap<string, VendorConfig>;
  /** @default `$VENDOR_SYNC_VENDORS_DIR`, else `config/vendors/` ({@link resolveVendorsDir}) */
  readonly vendorsDir?: string;
}

/**
 * Takes the data directory (one process per directory) or a throw-away one and starts the embedded
 * DynamoDB on it.
 * @throws {DataDirBusyError} when another process owns the directory.
 */
export async function openSandboxStore(options: OpenSandboxStoreOptions): Promise<SandboxStore> {
  const configs = new SandboxVendors(
    options.vendors
      ? { vendors: options.vendors.values() }
      : { dir: options.vendorsDir ?? resolveVendorsDir(process.env) },
  );
  const inMemory = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "vendor-sync-"));
  const ownership = inMemory
    ? { session: randomUUID(), release: async () => {} }
    : await acquireDataDir(dataDir, options.command, options.apiUrl);
  let dynamo: EmbeddedDynamo;
  try {
    dynamo = await startEmbeddedDynamo(inMemory ? {} : { path: join(dataDir, "dynamodb") });
  } catch (error) {
    await ownership.release();
    throw error;
  }
  return {
    dataDir,
    inMemory,
    session: ownership.session,
    dynamo,
    vendors: configs.vendors,
    configs,
    records: new DynamoRecordStore({ client: dynamo.client, tableName: dynamo.tables.records }),
    vendor: (vendorId) => configs.vendor(vendorId),
    close: async () => {
      try {
        await dynamo.close();
      } finally {
        await ownership.release();
      }
    },
  };
}
