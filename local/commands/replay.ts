import type { ReplayOutcome } from "../../lambdas/core/operations/replay-webhooks.ts";
import type { Sandbox } from "../sandbox.ts";
import { runOnSandbox } from "./operations.ts";

export interface ReplayOptions {
  readonly vendorId: string;
  /** ISO 8601: only deliveries received at or after. */
  readonly since?: string;
  /** ISO 8601: only deliveries received before. */
  readonly until?: string;
  /** Count and map, send nothing. @default false */
  readonly dryRun?: boolean;
}

/**
 * Re-runs archived raw deliveries of a vendor through the sandbox's real-time path — the same
 * `webhooks.replay` admin command the deployed admin-operations function runs (see
 * `replayArchivedDeliveries`). Already-applied events come back `unchanged` or `duplicate`.
 *
 * @throws {ValidationError} for an unknown vendor, a vendor without a webhook channel, or a bad time.
 */
export async function replayArchived(sandbox: Sandbox, options: ReplayOptions): Promise<ReplayOutcome> {
  return (await runOnSandbox(sandbox, {
    action: "webhooks.replay",
    vendorId: options.vendorId,
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  })) as ReplayOutcome;
}
