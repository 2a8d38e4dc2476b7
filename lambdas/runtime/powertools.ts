/**
 * Module singletons for Powertools Logger and Metrics, shared by every handler (one namespace,
 * bounded dimensions: vendor, entity type, error type). Configured from the POWERTOOLS_* environment
 * the function construct sets.
 *
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Log } from "../core/ports.ts";

export const logger = new Logger({ serviceName: "vendor-sync" });
export const metrics = new Metrics({ namespace: "VendorSync", serviceName: "vendor-sync" });

/**
 * Per-vendor outcome and error counts for a batch of change results. Lives in `metrics.ts` with the
 * rest of the metric vocabulary's publishers; re-exported here for existing callers.
 */
export { publishOutcomeMetrics } from "./metrics.ts";

/** The Powertools logger behind the handlers' {@link Log} port. */
export const log: Log = {
  info: (message, extra) => (extra ? logger.info(message, extra) : logger.info(message)),
  warn: (message, extra) => (extra ? logger.warn(message, extra) : logger.warn(message)),
  error: (message, extra) => (extra ? logger.error(message, extra) : logger.error(message)),
};
