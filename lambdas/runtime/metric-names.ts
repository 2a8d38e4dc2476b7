/**
 * The metric vocabulary: every custom metric the functions publish (EMF, through Powertools Metrics)
 * and the CDK alarms and dashboard read. One module so a name or a dimension cannot drift between the
 * code that publishes a metric and the alarm that watches it. Plain constants: no Powertools, no AWS
 * SDK, so the CDK app imports it freely.
 *
 * Rules:
 * - one namespace, {@link METRIC_NAMESPACE};
 * - names are PascalCase events or gauges (`ChangesCreated`, `FreshnessAgeSeconds`);
 * - dimensions are bounded: {@link DIMENSION} lists the only names allowed, and every metric here is
 *   published with exactly the dimension set its definition names (plus Powertools' constant
 *   `service` dimension, {@link METRIC_SERVICE}), so an alarm built from
 *   {@link metricDimensions} matches what is published.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
 */
import type { ErrorKind } from "../core/errors.ts";
import type { Outcome } from "../core/model.ts";
import type { JobStatus } from "../core/outcomes.ts";

/** The one CloudWatch namespace of every custom metric. */
export const METRIC_NAMESPACE = "VendorSync";

/**
 * Powertools Metrics always adds a `service` dimension with the service name; it is constant, so it
 * adds no cardinality, but alarms must name it to match the published metric.
 */
export const METRIC_SERVICE = "vendor-sync";

/** The only dimension names allowed (each bounded: configured vendors, four entity types, four error kinds). */
export const DIMENSION = {
  vendorId: "VendorId",
  entityType: "EntityType",
  errorType: "ErrorType",
} as const;
export type DimensionName = (typeof DIMENSION)[keyof typeof DIMENSION];

/**
 * The `VendorId` value for a request that names no configured vendor (an unknown id in a webhook
 * URL): never put an unvalidated id into a dimension, or one scanner makes thousands of metrics.
 */
export const UNKNOWN_VENDOR = "unknown";

/** CloudWatch units used here (the same strings as Powertools' `MetricUnit`). */
export type MetricUnitName = "Count" | "Milliseconds" | "Seconds" | "Count/Second" | "None";

/** What a metric means, its unit, and the dimensions it is published with. */
export interface MetricDefinition {
  readonly unit: MetricUnitName;
  /** Dimension names besides `service`, in the order published. */
  readonly dimensions: readonly DimensionName[];
  /** The statistic alarms and the dashboard use. */
  readonly statistic: "Sum" | "Maximum" | "Average" | "p95";
  readonly description: string;
}

const perVendor = [DIMENSION.vendorId] as const;

/**
 * Every custom metric, by name. Units: durations in milliseconds (`SyncDuration`), ages in seconds
 * (`FreshnessAgeSeconds`, `TimeSinceLastSyncSeconds`), counts per event.
 */
export const METRICS = {
  // ---- jobs (one datapoint of 1 for the final status, 0 for the others, per finished job) ----
  JobsSucceeded: { unit: "Count", dimensions: perVendor, statistic: "Sum", description: "Jobs that ended SUCCEEDED" },
  JobsPartial: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Jobs that ended PARTIAL (some changes rejected or failed, within tolerance)",
  },
  JobsFailed: { unit: "Count", dimensions: perVendor, statistic: "Sum", description: "Jobs that ended FAILED" },
  JobsCancelled: { unit: "Count", dimensions: perVendor, statistic: "Sum", description: "Jobs that ended CANCELLED" },
  SyncDuration: {
    unit: "Milliseconds",
    dimensions: perVendor,
    statistic: "p95",
    description: "Wall-clock duration of a finished job, start to finish (ms)",
  },
  ThroughputChanges: {
    unit: "Count/Second",
    dimensions: perVendor,
    statistic: "Average",
    description: "Changes a finished job decided per second of its duration",
  },
  // ---- changes by outcome (received = the sum of the eight outcomes) ----
  ChangesReceived: { unit: "Count", dimensions: perVendor, statistic: "Sum", description: "Changes received" },
  ChangesCreated: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes that created a record",
  },
  ChangesUpdated: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes that updated a record",
  },
  ChangesUnchanged: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes equal to the stored record (no write)",
  },
  ChangesDuplicate: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes stopped by event-id de-duplication",
  },
  ChangesStale: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes older than (or outranked by) the stored record",
  },
  ChangesConflicted: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes held for manual review",
  },
  ChangesRejected: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes refused by validation or a business rule",
  },
  ChangesFailed: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Changes that could not be written (transient or system error after retries)",
  },
  // ---- errors by type (the error type is part of the name, so one alarm or graph needs no fan-out) ----
  ErrorsTransient: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Transient errors (timeouts, throttling, vendor 5xx/429)",
  },
  ErrorsValidation: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Validation errors (malformed payload, bad currency, missing key)",
  },
  ErrorsBusiness: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Business-rule errors (price guard, negative stock)",
  },
  ErrorsSystem: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "System errors (DynamoDB or queue failure, bug)",
  },
  // ---- ingestion ----
  SignatureRejections: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Webhook deliveries refused because the signature or its timestamp did not verify",
  },
  ConfigurationFaults: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description:
      "Webhook deliveries answered 503 because the vendor's configuration is faulty (signing secret malformed or not in its scheme's format)",
  },
  DuplicatesDropped: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Sum",
    description: "Deliveries dropped by event-id de-duplication before the queue (webhook and pull redeliveries)",
  },
  // ---- freshness (the freshness monitor, every 5 minutes, per enabled vendor) ----
  FreshnessAgeSeconds: {
    unit: "Seconds",
    dimensions: perVendor,
    statistic: "Maximum",
    description: "Age of the newest accepted change: now − newestSourceTs (s); not published for paused vendors",
  },
  TimeSinceLastSyncSeconds: {
    unit: "Seconds",
    dimensions: perVendor,
    statistic: "Maximum",
    description:
      "Time since the last SUCCEEDED or PARTIAL job: now − lastSuccessAt (s); not published for paused vendors",
  },
  VendorPaused: {
    unit: "Count",
    dimensions: perVendor,
    statistic: "Maximum",
    description: "1 while the vendor is paused, 0 otherwise (a gauge)",
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

/** The metric of each final job status. */
export const JOB_STATUS_METRIC = {
  SUCCEEDED: "JobsSucceeded",
  PARTIAL: "JobsPartial",
  FAILED: "JobsFailed",
  CANCELLED: "JobsCancelled",
} as const satisfies Partial<Record<JobStatus, MetricName>>;
export type FinalJobStatus = keyof typeof JOB_STATUS_METRIC;

/** The metric of each change outcome. */
export const OUTCOME_METRIC = {
  created: "ChangesCreated",
  updated: "ChangesUpdated",
  unchanged: "ChangesUnchanged",
  duplicate: "ChangesDuplicate",
  stale: "ChangesStale",
  conflicted: "ChangesConflicted",
  rejected: "ChangesRejected",
  failed: "ChangesFailed",
} as const satisfies Record<Outcome, MetricName>;

/** The metric of each error kind (docs/architecture.md, "Errors and retries"). */
export const ERROR_METRIC = {
  transient: "ErrorsTransient",
  validation: "ErrorsValidation",
  business: "ErrorsBusiness",
  system: "ErrorsSystem",
} as const satisfies Record<ErrorKind, MetricName>;

/**
 * The dimensions a metric is published with, `service` included: what an alarm's `dimensionsMap`
 * must be to match it.
 *
 * @param values - a value for each dimension the metric's definition names.
 * @throws {Error} when a value is missing or empty (a programming error, caught by tests and synth).
 */
export function metricDimensions(
  name: MetricName,
  values: Partial<Record<DimensionName, string>>,
): Record<string, string> {
  const out: Record<string, string> = { service: METRIC_SERVICE };
  for (const dimension of METRICS[name].dimensions) {
    const value = values[dimension];
    if (!value) throw new Error(`metric ${name} needs a value for dimension ${dimension}`);
    out[dimension] = value;
  }
  return out;
}
