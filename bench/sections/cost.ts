/**
 * 7. Cost per million changes, from what the other sections counted (calls, capacity units, S3
 * requests, CPU time, log bytes) at the list prices of `bench/cost/prices.json`. Assumptions that
 * no section measures are stated beside each line of the scenario.
 */

import { DEFAULT_WRITE_CONCURRENCY } from "../../lambdas/core/changes/interpreter.ts";
import { billedPublishes, MAX_BATCH_ENTRIES, publishBatches } from "../../lambdas/core/realtime/publish-batches.ts";
import {
  type CostLine,
  costLines,
  type LambdaWork,
  lambdaSeconds,
  loadPriceBook,
  type PriceBook,
  perMillion,
  totalUsd,
  type Usage,
} from "../cost/model.ts";
import { Figures } from "../lib/budget.ts";
import type { SectionResult } from "../lib/section.ts";
import type { ImportRun } from "./resync.ts";
import type { IngestCpu } from "./webhook.ts";
import type { PhaseResult } from "./write-path.ts";

/** What the cost section reads from the others. */
export interface CostInputs {
  readonly ingest: IngestCpu;
  /** The write path on creates (processor CPU and capacity per change). */
  readonly writePath: PhaseResult;
  readonly first: ImportRun;
  readonly resync: ImportRun;
}

/** Messages per processor invocation (the event source's batch size). */
const SQS_BATCH = 10;
/** Stream records per publisher invocation (the stream event source's default batch size). */
const STREAM_BATCH = 100;
/** Powertools log and EMF bytes per batch-stage invocation (a summary line and its metrics). */
const BATCH_STAGE_LOG_BYTES = 1024;
/** Standard state transitions of one batch execution outside the Maps (prepare … notify). */
const JOB_TRANSITIONS = 15;

/** The webhook path for one million changes, delivered in 10 KB deliveries as measured. */
export function webhookUsage(inputs: CostInputs): { usage: Usage; changes: number; deliveries: number } {
  const { ingest, writePath } = inputs;
  const k = ingest.changesPerDelivery;
  const deliveries = 1_000_000 / k;
  const changes = 1_000_000;
  const dynamoPerDelivery = ingest.callsPerRequest.DynamoDB ?? 0;
  // Notifications of the mean size the first import measured, batched ten at a time as the publisher does.
  const { notifications } = inputs.first;
  const notificationBytes = notifications.count > 0 ? notifications.bytes / notifications.count : 1024;
  const ten = new Array<number>(MAX_BATCH_ENTRIES).fill(notificationBytes);
  const requests = (changes / MAX_BATCH_ENTRIES) * publishBatches(ten).length;
  return {
    changes,
    deliveries,
    usage: {
      apiRequests: deliveries * Math.ceil(ingest.bodyBytes / (512 * 1024)),
      // Send (per 64 KB chunk), and the event source's ReceiveMessage and DeleteMessageBatch per batch.
      sqsRequests: deliveries * (Math.ceil(ingest.messageBytes / (64 * 1024)) + 2 / SQS_BATCH),
      lambdas: [
        {
          name: "ingest-webhook",
          invocations: deliveries,
          memoryMb: 512,
          cpuMs: (deliveries * ingest.cpuUsPerRequest) / 1000,
          calls: { dynamodb: deliveries * dynamoPerDelivery, s3: deliveries, sqs: deliveries },
          logBytes: deliveries * ingest.logBytesPerRequest,
        },
        {
          name: "process-changes",
          invocations: deliveries / SQS_BATCH,
          memoryMb: 512,
          cpuMs: (changes * writePath.clientCpuUsPerChange) / 1000,
          // BatchGetItem per 100 changes, a conditional PutItem per change, a platform-key PutItem per product.
          calls: { dynamodb: changes * writePath.callsPerChange + deliveries * ingest.productsPerDelivery },
          logBytes: deliveries * ingest.logBytesPerRequest,
        },
        {
          name: "publish-changes",
          invocations: changes / STREAM_BATCH,
          memoryMb: 256,
          cpuMs: changes * 0.05,
          calls: { sns: requests },
          logBytes: 0,
        },
      ],
      // Dedup claim and completion, platform keys per product, the records (table, and the sync table's index for conflicts).
      writeUnits:
        deliveries * (dynamoPerDelivery + ingest.productsPerDelivery) +
        changes * (writePath.wcuPerChange + writePath.indexWcuPerChange),
      readUnits: changes * writePath.rcuPerChange,
      s3Puts: deliveries,
      snsPublishes: (changes / MAX_BATCH_ENTRIES) * billedPublishes(ten),
    },
  };
}

/** A batch import scaled to one million changes. */
export function importUsage(run: ImportRun, book: PriceBook): Usage {
  const scale = 1_000_000 / run.changes;
  const planBatches = run.s3.writesByKind["results/plan"] ?? 0;
  const applyChildren = Math.ceil((run.s3.writesByKind["results/apply"] ?? 0) / 4);
  const invocations = planBatches + applyChildren + 5; // + start, prepare, validate, commit, notify path
  // The records' conditional writes run DEFAULT_WRITE_CONCURRENCY at a time (the interpreter's
  // limit); every other call (reads, the job's own) waits alone.
  const writes = run.calls.PutItemCommand ?? 0;
  const otherDynamoCalls = Object.values(run.calls).reduce((a, b) => a + b, 0) - writes;
  const written = (run.counts.created ?? 0) + (run.counts.updated ?? 0);
  const stages: LambdaWork = {
    name: "batch stages",
    invocations: invocations * scale,
    memoryMb: 1024,
    cpuMs: (run.cpuUsPerChange * run.changes * scale) / 1000,
    calls: { dynamodb: otherDynamoCalls * scale, s3: (run.s3.put + run.s3.get) * scale },
    logBytes: invocations * BATCH_STAGE_LOG_BYTES * scale,
  };
  const conditionalWrites: LambdaWork = {
    name: "batch stages, conditional writes",
    invocations: 0,
    memoryMb: 1024,
    cpuMs: 0,
    calls: { dynamodb: writes * scale },
    inFlight: { dynamodb: DEFAULT_WRITE_CONCURRENCY },
    logBytes: 0,
  };
  const stageSeconds = lambdaSeconds(stages, book) + lambdaSeconds(conditionalWrites, book);
  const children = planBatches + applyChildren;
  return {
    lambdas: [
      stages,
      conditionalWrites,
      {
        name: "publish-changes",
        invocations: (written / STREAM_BATCH) * scale,
        memoryMb: 256,
        cpuMs: written * 0.05 * scale,
        calls: { sns: run.notifications.requests * scale },
        logBytes: 0,
      },
    ],
    // The parent's states, and (conservatively) one transition per child execution it starts.
    standardTransitions: (JOB_TRANSITIONS + children) * scale,
    expressExecutions: children * scale,
    // Each child lives as long as its Lambda call (the mean of the stages'), at the 64 MB minimum;
    // stageSeconds is already scaled to a million changes.
    expressGbSeconds: children > 0 ? ((stageSeconds * children) / invocations) * (64 / 1024) : 0,
    writeUnits: run.wcuPerChange * run.changes * scale,
    readUnits: run.rcuPerChange * run.changes * scale,
    // + the upload's PUT and GET, the ItemReader's GET per plan batch, the two ResultWriters.
    s3Puts: (run.s3.put + 1 + 6) * scale,
    s3Gets: (run.s3.get + 1 + planBatches) * scale,
    // The change notifications as publish-changes batches them (billed per request and 64 KB), and
    // the job notification.
    snsPublishes: (run.notifications.billedPublishes + 1) * scale,
  };
}

function describe(lines: readonly CostLine[], top = 4): string {
  const total = totalUsd(lines);
  return [...lines]
    .sort((a, b) => b.usd - a.usd)
    .slice(0, top)
    .map((line) => `${line.item} $${line.usd.toFixed(3)} (${((line.usd / total) * 100).toFixed(0)} %)`)
    .join("; ");
}

export function costSection(inputs: CostInputs): SectionResult {
  const figures = new Figures("cost");
  const book = loadPriceBook();
  const webhook = webhookUsage(inputs);
  const webhookLines = costLines(webhook.usage, book);
  const webhookUsd = perMillion(totalUsd(webhookLines), webhook.changes);
  figures.budget(
    "webhook",
    `webhook path, ${inputs.ingest.changesPerDelivery} changes per 10 KB delivery: $ per million changes`,
    webhookUsd,
    "USD",
    "<=",
    4,
    describe(webhookLines),
  );
  // The same path when every delivery carries one change (an inventory level, an order status).
  const single = webhookUsage({
    ...inputs,
    ingest: { ...inputs.ingest, changesPerDelivery: 1, productsPerDelivery: 0 },
  });
  const singleLines = costLines(single.usage, book);
  figures.info(
    "webhookSingle",
    "webhook path, one change per delivery: $ per million changes",
    perMillion(totalUsd(singleLines), single.changes),
    "USD",
    describe(singleLines),
  );
  const firstLines = costLines(importUsage(inputs.first, book), book);
  figures.budget(
    "firstImport",
    "first import: $ per million changes",
    totalUsd(firstLines),
    "USD",
    "<=",
    1,
    describe(firstLines),
  );
  const resyncLines = costLines(importUsage(inputs.resync, book), book);
  figures.budget(
    "resync",
    "99 %-unchanged resync: $ per million changes",
    totalUsd(resyncLines),
    "USD",
    "<=",
    0.15,
    describe(resyncLines),
  );
  return {
    figures: figures.list,
    details: {
      region: book.region,
      webhook: { deliveriesPerMillion: webhook.deliveries, lines: webhookLines },
      webhookSingleChange: { lines: singleLines },
      firstImport: { lines: firstLines },
      resync: { lines: resyncLines },
      notIncluded:
        "CloudWatch custom metrics are billed per metric-month ($0.30 each for the first 10,000: about 20 metrics per vendor), not per change; S3 storage of the archive and batch files (lifecycle-expired); data transfer.",
    },
  };
}
