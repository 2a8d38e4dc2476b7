/**
 * The part of the sandbox `vendor-sync import` uses (`importFile`), wired as `openSandbox` wires it
 * (the same record and sync stores, change interpreter and vendor lookup) but on a DynamoDB endpoint of the
 * benchmark's choosing — dynalite in its own process — so the import's CPU is measurable apart from
 * the store's. Everything else (`serve`'s queue, ingest, secrets) is left out.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { DynamoRecordStore } from "../../lambdas/adapters/dynamodb/record-store.ts";
import { DynamoSyncStore } from "../../lambdas/adapters/dynamodb/sync-store.ts";
import { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import { ValidationError } from "../../lambdas/core/errors.ts";
import { changeNotification } from "../../lambdas/core/realtime/change-notification.ts";
import { messageBytes } from "../../lambdas/core/realtime/publish-batches.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { LocalBatchRuns } from "../../local/batch-runs.ts";
import { LOCAL_TABLES, localDynamoClient } from "../../local/embedded-dynamodb.ts";
import { FileObjectStore } from "../../local/file-object-store.ts";
import type { Sandbox } from "../../local/sandbox.ts";

/** What `importFile` reads from a {@link Sandbox}. */
export type ImportSandbox = Pick<
  Sandbox,
  "dataDir" | "inMemory" | "vendors" | "records" | "sync" | "interpreter" | "vendor"
> & {
  readonly dynamo: { readonly client: DynamoDBClient; readonly tables: typeof LOCAL_TABLES };
  /** The batch runs of this process (an import is owned by its process, `local/batch-runs.ts`). */
  readonly scheduled: { readonly batchRuns: LocalBatchRuns };
  /**
   * The change notifications the writes cause, as publish-changes would send them: each one's SNS
   * message body and attributes, bytes, in write order, since the caller last emptied the list.
   */
  readonly notificationSizes: number[];
  close(): void;
};

/** Opens the import side of a sandbox on a DynamoDB endpoint, with its data directory in `tmpDir`. */
export function openImportSandbox(
  endpoint: string,
  tmpDir: string,
  vendors: Map<string, VendorConfig> = loadVendorConfigs(),
): ImportSandbox & { client: DynamoDBClient } {
  const client = localDynamoClient(endpoint);
  const notificationSizes: number[] = [];
  const records = new DynamoRecordStore({
    client,
    tableName: LOCAL_TABLES.records,
    // The stream's stand-in, as the sandbox has it: what publish-changes would send for each write.
    onWritten: (before, after) => {
      const notification = changeNotification(before, after);
      if (!notification) return;
      notificationSizes.push(messageBytes(JSON.stringify(notification.message), notification.attributes));
    },
  });
  const sync = new DynamoSyncStore({ client, tableName: LOCAL_TABLES.sync });
  const vendor = (vendorId: string): VendorConfig => {
    const config = vendors.get(vendorId);
    if (!config) throw new ValidationError(`unknown vendor ${vendorId}`, { field: "--vendor", value: vendorId });
    return config;
  };
  const dataDir = mkdtempSync(join(tmpDir, "sandbox-"));
  const batchRuns = new LocalBatchRuns({
    owner: "sandbox:bench",
    sync,
    records,
    bucket: new FileObjectStore(join(dataDir, "bucket")),
    notifier: { jobFinished: async () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  });
  return {
    dataDir,
    inMemory: false,
    vendors,
    records,
    sync,
    interpreter: ChangeInterpreter.forVendors({ get: vendor }, { records, conflicts: sync }),
    vendor,
    client,
    dynamo: { client, tables: LOCAL_TABLES },
    scheduled: { batchRuns },
    notificationSizes,
    close: () => {
      client.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** @returns the sandbox as `importFile` takes it (it reads only the fields of {@link ImportSandbox}). */
export const asSandbox = (sandbox: ImportSandbox): Sandbox => sandbox as unknown as Sandbox;
