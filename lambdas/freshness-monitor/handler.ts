/** Lambda entry of freshness-monitor: real adapters built once per execution environment. */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoVendorStateStore } from "../adapters/dynamodb/vendor-state-store.ts";
import { VendorRegistry } from "../runtime/vendor-registry.ts";
import { readEnv } from "./env.ts";
import { type FreshnessMonitorResult, makeHandler } from "./freshness-monitor.ts";

const env = readEnv();
const vendorStates = new DynamoVendorStateStore({ client: new DynamoDBClient({}), tableName: env.SYNC_TABLE_NAME });

const monitor = makeHandler({
  vendors: VendorRegistry.fromBundle().all(),
  getVendorState: (vendorId) => vendorStates.getVendorState(vendorId),
});

export const handler = (event: unknown): Promise<FreshnessMonitorResult> => monitor(event);
