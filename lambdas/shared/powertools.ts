/**
 * Module singletons for Powertools Logger and Metrics, shared by every handler (one namespace,
 * bounded dimensions: vendor, entity type, error type). Configured from the POWERTOOLS_* environment
 * the function construct sets.
 *
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Log } from "../core/ports.ts";
import type { ChangeResult } from "../core/write-path.ts";

export const logger = new Logger({ serviceName: "vendor-sync" });
export const metrics = new Metrics({ namespace: "VendorSync", serviceName: "vendor-sync" });

/** Metric name of each change outcome (PascalCase events). */
const OUTCOME_METRIC = {
  created: "ChangesCreated",
  updated: "ChangesUpdated",
  unchanged: "ChangesUnchanged",
  duplicate: "ChangesDuplicate",
  stale: "ChangesStale",
  conflicted: "ChangesConflicted",
  rejected: "ChangesRejected",
  failed: "ChangesFailed",
} as const;

/** Metric name of each error kind. */
const ERROR_METRIC = {
  transient: "ErrorsTransient",
  validation: "ErrorsValidation",
  business: "ErrorsBusiness",
  system: "ErrorsSystem",
} as const;

/**
 * Publishes one count per outcome and error kind for a batch of results, per vendor (EMF, one
 * metric set per vendor so the dimension stays bounded).
 */
export function publishOutcomeMetrics(results: readonly ChangeResult[]): void {
  const byVendor = Map.groupBy(results, (result) => result.vendorId);
  for (const [vendorId, vendorResults] of byVendor) {
    const set = metrics.singleMetric();
    set.addDimension("VendorId", vendorId);
    const counts = new Map<string, number>();
    const bump = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const result of vendorResults) {
      bump(OUTCOME_METRIC[result.outcome]);
      if (result.errorKind) bump(ERROR_METRIC[result.errorKind]);
    }
    for (const [name, value] of counts) set.addMetric(name, MetricUnit.Count, value);
    set.addMetric("ChangesReceived", MetricUnit.Count, vendorResults.length);
  }
}

/** The Powertools logger behind the handlers' {@link Log} port. */
export const log: Log = {
  info: (message, extra) => (extra ? logger.info(message, extra) : logger.info(message)),
  warn: (message, extra) => (extra ? logger.warn(message, extra) : logger.warn(message)),
  error: (message, extra) => (extra ? logger.error(message, extra) : logger.error(message)),
};
