import { describe, expect, it } from "vitest";
import { emptyCounts } from "../../../lambdas/core/outcomes.ts";
import {
  DIMENSION,
  ERROR_METRIC,
  JOB_STATUS_METRIC,
  METRIC_NAMESPACE,
  METRICS,
  type MetricName,
  metricDimensions,
  OUTCOME_METRIC,
} from "../../../lambdas/runtime/metric-names.ts";
import {
  publishDuplicatesDropped,
  publishFreshnessMetrics,
  publishJobMetrics,
  publishOutcomeCounts,
  publishOutcomeMetrics,
  publishSignatureRejections,
} from "../../../lambdas/runtime/metrics.ts";
import { publishOutcomeMetrics as fromPowertools } from "../../../lambdas/runtime/powertools.ts";
import { captureEmf, type EmfDocument, valuesOf } from "../../support/emf.ts";

// Within the window CloudWatch accepts (14 days back, 2 hours ahead), so Powertools keeps it.
const T = Math.floor(Date.now() / 1000) * 1000 - 60_000;

/** Every metric of a document must be in the vocabulary, with its unit and its exact dimension set. */
function expectVocabulary(doc: EmfDocument) {
  const [set] = doc._aws.CloudWatchMetrics;
  expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
  expect(set?.Namespace).toBe(METRIC_NAMESPACE);
  for (const metric of set?.Metrics ?? []) {
    const definition = METRICS[metric.Name as MetricName];
    expect(definition, metric.Name).toBeDefined();
    expect(metric.Unit, metric.Name).toBe(definition.unit);
    const expected = Object.keys(metricDimensions(metric.Name as MetricName, { VendorId: "x" }));
    expect(set?.Dimensions, metric.Name).toEqual([expected]);
  }
}

describe("metric vocabulary", () => {
  it("names every metric as a PascalCase event with a CloudWatch unit and only bounded dimensions", () => {
    const allowed = new Set<string>(Object.values(DIMENSION));
    for (const [name, definition] of Object.entries(METRICS)) {
      expect(name).toMatch(/^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/);
      expect(["Count", "Milliseconds", "Seconds", "Count/Second", "None"]).toContain(definition.unit);
      for (const dimension of definition.dimensions) expect(allowed.has(dimension), `${name}: ${dimension}`).toBe(true);
    }
  });

  it("maps every outcome, error kind and final job status to a defined metric", () => {
    for (const name of [
      ...Object.values(OUTCOME_METRIC),
      ...Object.values(ERROR_METRIC),
      ...Object.values(JOB_STATUS_METRIC),
    ]) {
      expect(METRICS[name]).toBeDefined();
    }
  });

  it("gives alarms the dimensions a metric is published with, service included", () => {
    expect(metricDimensions("JobsFailed", { VendorId: "acme" })).toEqual({ service: "vendor-sync", VendorId: "acme" });
  });

  it("fails to build dimensions without a value for each one the metric needs", () => {
    expect(() => metricDimensions("FreshnessAgeSeconds", {})).toThrow(/VendorId/);
  });
});

describe("publishOutcomeMetrics", () => {
  it("publishes one document per vendor, every metric of it dimensioned by that vendor, zeros included", async () => {
    const docs = await captureEmf(() =>
      publishOutcomeMetrics([
        { vendorId: "acme", outcome: "created" },
        { vendorId: "acme", outcome: "rejected", errorKind: "validation" },
        { vendorId: "acme", outcome: "failed", errorKind: "transient" },
        { vendorId: "globex", outcome: "unchanged" },
      ]),
    );

    expect(docs).toHaveLength(2);
    docs.forEach(expectVocabulary);
    const acme = docs.find((d) => d.VendorId === "acme") as EmfDocument;
    expect(valuesOf(acme)).toEqual({
      ChangesReceived: 3,
      ChangesCreated: 1,
      ChangesUpdated: 0,
      ChangesUnchanged: 0,
      ChangesDuplicate: 0,
      ChangesStale: 0,
      ChangesConflicted: 0,
      ChangesRejected: 1,
      ChangesFailed: 1,
      ErrorsTransient: 1,
      ErrorsValidation: 1,
      ErrorsBusiness: 0,
      ErrorsSystem: 0,
    });
    const globex = docs.find((d) => d.VendorId === "globex") as EmfDocument;
    expect(valuesOf(globex)).toMatchObject({ ChangesReceived: 1, ChangesUnchanged: 1, ChangesRejected: 0 });
  });

  it("is the function powertools.ts exports to existing callers", () => {
    expect(fromPowertools).toBe(publishOutcomeMetrics);
  });

  it("publishes nothing for an empty batch", async () => {
    expect(await captureEmf(() => publishOutcomeMetrics([]))).toEqual([]);
  });
});

describe("publishOutcomeCounts", () => {
  it("publishes a job's aggregate counts and errors by kind, reconciling received with the outcomes", async () => {
    const counts = { ...emptyCounts(), received: 10, created: 7, stale: 1, rejected: 2 };
    const [doc, ...rest] = await captureEmf(() => publishOutcomeCounts("acme", counts, { validation: 2 }));

    expect(rest).toEqual([]);
    expectVocabulary(doc as EmfDocument);
    const values = valuesOf(doc as EmfDocument);
    expect(values).toMatchObject({ ChangesReceived: 10, ChangesCreated: 7, ChangesStale: 1, ChangesRejected: 2 });
    expect(values).toMatchObject({ ErrorsValidation: 2, ErrorsSystem: 0 });
    const outcomes = Object.values(OUTCOME_METRIC).reduce((sum, name) => sum + Number(values[name]), 0);
    expect(outcomes).toBe(values.ChangesReceived);
  });
});

describe("publishJobMetrics", () => {
  it("publishes 1 on the job's final status and 0 on the others, its duration in ms and its throughput", async () => {
    let published = false;
    const [doc] = await captureEmf(() => {
      published = publishJobMetrics({
        vendorId: "acme",
        status: "FAILED",
        durationMs: 4000,
        counts: { received: 1000 },
        finishedAt: T,
      });
    });

    expect(published).toBe(true);
    expectVocabulary(doc as EmfDocument);
    expect(doc?._aws.Timestamp).toBe(T);
    expect(doc?.VendorId).toBe("acme");
    expect(valuesOf(doc as EmfDocument)).toEqual({
      JobsSucceeded: 0,
      JobsPartial: 0,
      JobsFailed: 1,
      JobsCancelled: 0,
      SyncDuration: 4000,
      ThroughputChanges: 250,
    });
  });

  it("publishes no throughput for a job that received nothing or took no time", async () => {
    const docs = await captureEmf(() => {
      publishJobMetrics({ vendorId: "acme", status: "SUCCEEDED", durationMs: 0, counts: { received: 5 } });
      publishJobMetrics({ vendorId: "acme", status: "CANCELLED", durationMs: 10, counts: { received: 0 } });
    });

    expect(docs.map((doc) => valuesOf(doc).ThroughputChanges)).toEqual([undefined, undefined]);
    expect(docs.map((doc) => valuesOf(doc).SyncDuration)).toEqual([0, 10]);
  });

  it("publishes nothing for a job that has not finished", async () => {
    let published = true;
    const docs = await captureEmf(() => {
      published = publishJobMetrics({ vendorId: "acme", status: "RUNNING", counts: { received: 3 } });
    });

    expect(published).toBe(false);
    expect(docs).toEqual([]);
  });
});

describe("ingestion counters", () => {
  it("counts signature rejections and dropped duplicates per vendor", async () => {
    const docs = await captureEmf(() => {
      publishSignatureRejections("acme");
      publishDuplicatesDropped("globex", 3);
    });

    docs.forEach(expectVocabulary);
    expect(docs.map((doc) => [doc.VendorId, valuesOf(doc)])).toEqual([
      ["acme", { SignatureRejections: 1 }],
      ["globex", { DuplicatesDropped: 3 }],
    ]);
  });
});

describe("publishFreshnessMetrics", () => {
  it("publishes ages and VendorPaused 0 for an active vendor, and only VendorPaused 1 for a paused one", async () => {
    const docs = await captureEmf(() =>
      publishFreshnessMetrics(
        [
          { vendorId: "acme", paused: false, freshnessAgeSeconds: 120, timeSinceLastSyncSeconds: 60 },
          { vendorId: "globex", paused: true, freshnessAgeSeconds: 99_999 },
          { vendorId: "initech", paused: false },
        ],
        T,
      ),
    );

    docs.forEach(expectVocabulary);
    expect(docs.map((doc) => doc._aws.Timestamp)).toEqual([T, T, T]);
    expect(docs.map((doc) => [doc.VendorId, valuesOf(doc)])).toEqual([
      ["acme", { VendorPaused: 0, FreshnessAgeSeconds: 120, TimeSinceLastSyncSeconds: 60 }],
      ["globex", { VendorPaused: 1 }],
      ["initech", { VendorPaused: 0 }],
    ]);
  });
});
