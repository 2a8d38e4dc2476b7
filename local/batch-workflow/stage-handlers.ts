import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoRecordKeyLister } from "../../lambdas/adapters/dynamodb/record-keys.ts";
import type { DynamoRecordStore } from "../../lambdas/adapters/dynamodb/record-store.ts";
import type { DynamoSyncStore } from "../../lambdas/adapters/dynamodb/sync-store.ts";
import { VENDOR_SHARDS, vendorShard } from "../../lambdas/adapters/dynamodb/table-design.ts";
import type { SourceOpener } from "../../lambdas/adapters/s3/uploads.ts";
import { makeHandler as makeApply } from "../../lambdas/batch-apply/batch-apply.ts";
import { makeHandler as makeCommit } from "../../lambdas/batch-commit/batch-commit.ts";
import { makeHandler as makeFail } from "../../lambdas/batch-fail/batch-fail.ts";
import { makeHandler as makePlan } from "../../lambdas/batch-plan/batch-plan.ts";
import { makeHandler as makePrepare } from "../../lambdas/batch-prepare/batch-prepare.ts";
import { makeHandler as makeValidate } from "../../lambdas/batch-validate/batch-validate.ts";
import type { ObjectStore } from "../../lambdas/core/batch/ports.ts";
import type { ChangeInterpreter } from "../../lambdas/core/changes/interpreter.ts";
import type { ChangeResult } from "../../lambdas/core/changes/results.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import type { BatchStageHandlers } from "./run.ts";

export interface SandboxStageDeps {
  readonly vendors: { get(id: string): VendorConfig };
  readonly client: DynamoDBClient;
  readonly recordsTableName: string;
  readonly jobs: DynamoSyncStore;
  readonly records: DynamoRecordStore;
  /** The sandbox's change interpreter: apply replays the plan through its live mode. */
  readonly interpreter: ChangeInterpreter;
  /** The imports bucket. */
  readonly store: ObjectStore;
  /** Opens the job's source (an upload, a dropped file, a pull's parts). */
  readonly openSource: SourceOpener;
  /** Receives every change's result as plan settles it and apply writes it (live progress). */
  readonly observe?: (results: readonly ChangeResult[]) => void;
  /** A dry run's plan results are what its diff report says: they are not observed. @default false */
  readonly dryRun?: boolean;
}

/**
 * The batch workflow's stage handlers wired to the sandbox's stores, as each Lambda's `handler.ts`
 * wires them to AWS: the same `makeHandler` per stage, dynalite for the tables, a folder for S3.
 */
export function sandboxStageHandlers(deps: SandboxStageDeps): BatchStageHandlers {
  const { vendors, jobs, records, store } = deps;
  return {
    prepare: makePrepare({
      vendors,
      jobs,
      store,
      openSource: deps.openSource,
      keys: { shards: VENDOR_SHARDS, shardOf: vendorShard },
    }),
    plan: makePlan({
      vendors,
      records,
      keys: new DynamoRecordKeyLister({ client: deps.client, tableName: deps.recordsTableName }),
      store,
      ...(deps.observe && !deps.dryRun ? { observe: deps.observe } : {}),
    }),
    validate: makeValidate({ vendors, store }),
    apply: makeApply({ store, interpreter: deps.interpreter, ...(deps.observe ? { observe: deps.observe } : {}) }),
    commit: makeCommit({ store, jobs }),
    fail: makeFail({ jobs }),
  };
}
