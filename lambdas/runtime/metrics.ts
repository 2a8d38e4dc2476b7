/**
 * Publishers for the metric vocabulary of `metric-names.ts`: the only functions handlers call to emit
 * custom metrics. Each call writes one EMF line per vendor to stdout (CloudWatch Logs turns it into
 * metrics, no API call, no latency), so dimensions never leak from one vendor's metrics into
 * another's.
 *
 * Counting rule: each change is counted once — either per result ({@link publishOutcomeMetrics},
 * real-time and direct paths) or from a job's counts ({@link publishOutcomeCounts}, batch paths) —
 * never both for the same changes. {@link publishJobMetrics} counts jobs, not changes.
 *
 * Every outcome and error metric is published with 0 when nothing happened, so the alarms' metric math
 * (rejected + failed) / received always has its terms and the dashboard's lines do not break.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * @see https://docs.powertools.aws.dev/lambda/typescript/latest/features/metrics/
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { ChangeResult } from "../core/changes/results.ts";
import type { ErrorKind } from "../core/errors.ts";
import { OUTCOMES } from "../core/model.ts";
import { emptyCounts, type OutcomeCounts } from "../core/outcomes.ts";
import {
  DIMENSION,
  ERROR_METRIC,
  type FinalJobStatus,
  JOB_STATUS_METRIC,
  METRIC_NAMESPACE,
  METRIC_SERVICE,
  METRICS,
  type MetricName,
  OUTCOME_METRIC,
} from "./metric-names.ts";

const ERROR_KINDS = Object.keys(ERROR_METRIC) as ErrorKind[];

/**
 * Emits one EMF document with `values` for one vendor (a fresh Powertools instance per document:
 * Powertools' `singleMetric()` flushes and clears dimensions after the first metric, which would
 * publish the rest without `VendorId`).
 */
function emitForVendor(vendorId: string, values: ReadonlyMap<MetricName, number>, timestamp?: number): void {
  if (values.size === 0) return;
  const set = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });
  set.addDimension(DIMENSION.vendorId, vendorId);
  if (timestamp !== undefined) set.setTimestamp(timestamp);
  for (const [name, value] of values) set.addMetric(name, METRICS[name].unit, value);
  set.publishStoredMetrics();
}

function countsMetrics(counts: OutcomeCounts, errors: Readonly<Record<ErrorKind, number>>): Map<MetricName, number> {
  const values = new Map<MetricName, number>([["ChangesReceived", counts.received]]);
  for (const outcome of OUTCOMES) values.set(OUTCOME_METRIC[outcome], counts[outcome]);
  for (const kind of ERROR_KINDS) values.set(ERROR_METRIC[kind], errors[kind]);
  return values;
}

const noErrors = (): Record<ErrorKind, number> => ({ transient: 0, validation: 0, business: 0, system: 0 });

/**
 * Publishes, per vendor, `ChangesReceived`, one count per outcome and one per error kind for a batch
 * of change results (zeros included). Call once per batch; an empty batch publishes nothing.
 */
export function publishOutcomeMetrics(results: readonly Pick<ChangeResult, "vendorId" | "outcome" | "errorKind">[]) {
  const byVendor = Map.groupBy(results, (result) => result.vendorId);
  for (const [vendorId, vendorResults] of byVendor) {
    const counts = emptyCounts();
    const errors = noErrors();
    for (const result of vendorResults) {
      counts[result.outcome] += 1;
      counts.received += 1;
      if (result.errorKind) errors[result.errorKind] += 1;
    }
    emitForVendor(vendorId, countsMetrics(counts, errors));
  }
}

/**
 * Publishes a vendor's outcome counts (and error counts by kind, when known) from an aggregate, for
 * workflows that count instead of keeping every result (batch imports). Zeros included.
 *
 * @param errors - errors by kind. @default all zero
 */
export function publishOutcomeCounts(
  vendorId: string,
  counts: OutcomeCounts,
  errors: Partial<Record<ErrorKind, number>> = {},
): void {
  emitForVendor(vendorId, countsMetrics(counts, { ...noErrors(), ...errors }));
}

/** What {@link publishJobMetrics} needs of a job (a `JobItem` fits). */
export interface JobMetricsInput {
  readonly vendorId: string;
  /** Only final statuses are published; QUEUED and RUNNING publish nothing. */
  readonly status: string;
  /** Wall-clock duration in ms, when the job ran. */
  readonly durationMs?: number;
  readonly counts: Pick<OutcomeCounts, "received">;
  /** When the job finished, epoch ms: the metrics' timestamp. @default now */
  readonly finishedAt?: number;
}

/**
 * Publishes a finished job: 1 on the metric of its status and 0 on the other three
 * (`JobsSucceeded|JobsPartial|JobsFailed|JobsCancelled`), its `SyncDuration` (ms) and its
 * `ThroughputChanges` (changes decided per second; only when it ran and received changes).
 * Call once, when the job reaches its final status.
 *
 * @returns whether anything was published (false for a job that is not final).
 */
export function publishJobMetrics(job: JobMetricsInput): boolean {
  if (!Object.hasOwn(JOB_STATUS_METRIC, job.status)) return false;
  const values = new Map<MetricName, number>();
  for (const [status, name] of Object.entries(JOB_STATUS_METRIC)) {
    values.set(name, status === (job.status as FinalJobStatus) ? 1 : 0);
  }
  if (job.durationMs !== undefined && job.durationMs >= 0) {
    values.set("SyncDuration", job.durationMs);
    if (job.durationMs > 0 && job.counts.received > 0) {
      values.set("ThroughputChanges", job.counts.received / (job.durationMs / 1000));
    }
  }
  emitForVendor(job.vendorId, values, job.finishedAt);
  return true;
}

/**
 * Counts webhook deliveries refused by signature or timestamp verification.
 * @param vendorId - a configured vendor id, or {@link UNKNOWN_VENDOR} — never an unvalidated id.
 * @param count - @default 1
 */
export function publishSignatureRejections(vendorId: string, count = 1): void {
  emitForVendor(vendorId, new Map([["SignatureRejections", count]]));
}

/**
 * Counts webhook deliveries answered 503 because the vendor's configuration is faulty (a malformed
 * signing secret, one not in its scheme's format): our fault, alarmed per vendor.
 * @param count - @default 1
 */
export function publishConfigurationFaults(vendorId: string, count = 1): void {
  emitForVendor(vendorId, new Map([["ConfigurationFaults", count]]));
}

/**
 * Counts deliveries dropped by event-id de-duplication before the queue.
 * @param count - @default 1
 */
export function publishDuplicatesDropped(vendorId: string, count = 1): void {
  emitForVendor(vendorId, new Map([["DuplicatesDropped", count]]));
}

/** One vendor's freshness as the freshness monitor publishes it (see `core/freshness.ts`). */
export interface FreshnessMetricsInput {
  readonly vendorId: string;
  readonly paused: boolean;
  /** Seconds; absent when the vendor is paused or never had an accepted change. */
  readonly freshnessAgeSeconds?: number;
  /** Seconds; absent when the vendor is paused or never finished a sync. */
  readonly timeSinceLastSyncSeconds?: number;
}

/**
 * Publishes the freshness monitor's readings: `VendorPaused` (1/0) for every vendor, and
 * `FreshnessAgeSeconds` / `TimeSinceLastSyncSeconds` when known. A paused vendor publishes no ages,
 * so it is never shown as stale; the staleness alarm is silenced by `VendorPaused` instead.
 *
 * @param timestamp - the monitor's clock reading, epoch ms. @default now
 */
export function publishFreshnessMetrics(readings: readonly FreshnessMetricsInput[], timestamp?: number): void {
  for (const reading of readings) {
    const values = new Map<MetricName, number>([["VendorPaused", reading.paused ? 1 : 0]]);
    if (!reading.paused) {
      if (reading.freshnessAgeSeconds !== undefined) values.set("FreshnessAgeSeconds", reading.freshnessAgeSeconds);
      if (reading.timeSinceLastSyncSeconds !== undefined) {
        values.set("TimeSinceLastSyncSeconds", reading.timeSinceLastSyncSeconds);
      }
    }
    emitForVendor(reading.vendorId, values, timestamp);
  }
}
