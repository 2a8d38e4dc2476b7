/**
 * freshness-monitor — runs every 5 minutes (EventBridge rule): reads each enabled vendor's state from
 * the sync table and publishes, per vendor, `FreshnessAgeSeconds` (now − newest accepted change),
 * `TimeSinceLastSyncSeconds` (now − last successful sync) and `VendorPaused` (1/0). Paused vendors
 * publish only `VendorPaused`: they are shown on the dashboard and never as stale.
 *
 * The staleness alarms treat a missing `FreshnessAgeSeconds` as breaching, so if this function stops
 * running (or cannot read a vendor), the vendors it no longer reports raise their alarms.
 */
import { computeFreshness, type FreshnessReading, type FreshnessState } from "../core/freshness.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import { type FreshnessMetricsInput, publishFreshnessMetrics } from "../runtime/metrics.ts";
import { logger } from "../runtime/powertools.ts";

/** What the monitor reports for one run. */
export interface FreshnessMonitorResult {
  /** Epoch ms the ages were computed at. */
  readonly at: number;
  readonly readings: readonly FreshnessReading[];
  /** Vendors whose state could not be read this run (nothing published for them). */
  readonly failed: readonly string[];
}

/** Thrown after publishing the vendors that could be read, so the run counts as a Lambda error. */
export class FreshnessReadError extends Error {
  readonly vendorIds: readonly string[];

  constructor(vendorIds: readonly string[], cause: unknown) {
    super(`could not read the state of ${vendorIds.length} vendor(s): ${vendorIds.join(", ")}`, { cause });
    this.name = "FreshnessReadError";
    this.vendorIds = vendorIds;
  }
}

export interface FreshnessMonitorDeps {
  /** Every configured vendor; disabled ones are skipped (they have no staleness alarm either). */
  readonly vendors: readonly Pick<VendorConfig, "id" | "enabled">[];
  /** Reads a vendor's state (`DynamoVendorStateStore.getVendorState`). */
  readonly getVendorState: (vendorId: string) => Promise<FreshnessState>;
  /** @default publishFreshnessMetrics */
  readonly publish?: (readings: readonly FreshnessMetricsInput[], timestamp: number) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Builds the handler from its ports (tests pass dynalite-backed stores and a fixed clock). */
export function makeHandler(deps: FreshnessMonitorDeps) {
  const publish = deps.publish ?? publishFreshnessMetrics;
  const now = deps.now ?? Date.now;
  return async (_event?: unknown): Promise<FreshnessMonitorResult> => {
    const at = now();
    const enabled = deps.vendors.filter((vendor) => vendor.enabled);
    const settled = await Promise.allSettled(enabled.map((vendor) => deps.getVendorState(vendor.id)));
    const readings: FreshnessReading[] = [];
    const failed: string[] = [];
    let firstError: unknown;
    settled.forEach((result, i) => {
      const vendorId = (enabled[i] as { id: string }).id;
      if (result.status === "rejected") {
        failed.push(vendorId);
        firstError ??= result.reason;
        logger.error("vendor state unreadable", { vendorId, error: result.reason as Error });
        return;
      }
      const reading = computeFreshness(vendorId, result.value, at);
      if (reading.neverSynced && !reading.paused) logger.warn("vendor never synced", { vendorId });
      if (reading.clockSkewSeconds) {
        logger.warn("newest change is stamped in the future", { vendorId, skewSeconds: reading.clockSkewSeconds });
      }
      readings.push(reading);
    });
    publish(readings, at);
    logger.info("freshness published", {
      vendors: readings.length,
      paused: readings.filter((r) => r.paused).map((r) => r.vendorId),
      neverSynced: readings.filter((r) => r.neverSynced && !r.paused).map((r) => r.vendorId),
    });
    if (failed.length > 0) throw new FreshnessReadError(failed, firstError);
    return { at, readings, failed };
  };
}
