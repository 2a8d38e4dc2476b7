/**
 * The batch workflow's streaming pipeline in one process, for its memory: the file is read
 * (`readRows`), normalised and validated by the prepare stage (`prepareFile`), and every normalised
 * line goes, in the plan Map's batches (≤ 1,000 changes, ≤ 240 KiB), through the plan stage
 * (`planBatch`) against an empty store, into a counting sink. Samples its RSS every 20 ms and
 * prints one JSON line with the peak (sampled and the kernel's high-water mark).
 *
 * Usage: `node pipeline-rss.mjs <file> <vendorId> <vendor config dir>`
 */
import { createReadStream, readFileSync } from "node:fs";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { VENDOR_SHARDS, vendorShard } from "../../lambdas/adapters/dynamodb/table-design.ts";
import { readRows, syntaxOf } from "../../lambdas/adapters/file-rows.ts";
import { PLAN_BATCH, type PreparedLine } from "../../lambdas/core/batch/model.ts";
import { planBatch } from "../../lambdas/core/batch/plan.ts";
import type { ObjectStore, ObjectWriter } from "../../lambdas/core/batch/ports.ts";
import { prepareFile } from "../../lambdas/core/batch/prepare.ts";
import { writePolicyFor } from "../../lambdas/core/vendor-policy.ts";

const [file, vendorId, configDir] = process.argv.slice(2) as [string, string, string];
const vendor = loadVendorConfigs(configDir).get(vendorId);
if (!vendor) throw new Error(`unknown vendor ${vendorId}`);

let peak = process.memoryUsage.rss();
const baseline = peak;
const samples: [number, number][] = [];
const started = performance.now();
const sampler = setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
  samples.push([Math.round(performance.now() - started), rss]);
}, 20);

/** A sink that counts what the stages write and keeps nothing. */
const counted = { objects: 0, bytes: 0, lines: 0 };
const sink: ObjectStore = {
  readLines: () => {
    throw new Error("nothing to read");
  },
  readText: async () => undefined,
  writeText: async (_key, text) => {
    counted.objects++;
    counted.bytes += text.length;
  },
  openWriter: (key) => (key.endsWith("/changes.jsonl") ? planner : counter()),
  list: async function* () {},
  locate: (key) => key,
};

function counter(): ObjectWriter {
  counted.objects++;
  return {
    write: async (text) => {
      counted.bytes += text.length;
    },
    close: async () => {},
    abort: async () => {},
  };
}

// The normalised file's writer feeds the plan stage batch by batch (back-pressure through `await`).
let batch: PreparedLine[] = [];
let batchBytes = 2;
let planned = 0;
let batches = 0;
const plan = async () => {
  if (batch.length === 0) return;
  const items = batch;
  batch = [];
  batchBytes = 2;
  batches++;
  const summary = await planBatch(
    { vendor, jobId: "rss", asOf: Date.UTC(2026, 10, 1, 6), dryRun: false, items },
    {
      records: { getMany: async () => new Map() },
      store: sink,
      policyFor: (_id, entityType) => writePolicyFor(vendor, entityType),
      now: Date.now,
    },
  );
  planned += summary.counts.received;
};
const planner: ObjectWriter = {
  write: async (text) => {
    for (const line of text.split("\n")) {
      if (line === "") continue;
      counted.lines++;
      const size = Buffer.byteLength(line) + 1;
      if (batch.length >= PLAN_BATCH.maxItems || batchBytes + size > PLAN_BATCH.maxInputBytes) await plan();
      batch.push(JSON.parse(line) as PreparedLine);
      batchBytes += size;
    }
  },
  close: plan,
  abort: async () => {},
};

const syntax = syntaxOf(file);
const summary = await prepareFile(
  {
    vendor,
    jobId: "rss",
    items: readRows(createReadStream(file), {
      syntax,
      encoding: vendor.channels.file?.encoding,
      delimiter: vendor.channels.file?.delimiter,
    }),
    syntax,
    asOf: Date.UTC(2026, 10, 1, 6),
    full: false,
  },
  { store: sink, keys: { shards: VENDOR_SHARDS, shardOf: vendorShard } },
);
clearInterval(sampler);
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
const step = Math.max(1, Math.floor(samples.length / 50));
process.stdout.write(
  `${JSON.stringify({
    rows: summary.rowsRead,
    changes: summary.changes,
    rejected: summary.rejected,
    planned,
    batches,
    seconds: (performance.now() - started) / 1000,
    baselineRss: baseline,
    peakRss: Math.max(peak, hwm),
    sampledPeakRss: peak,
    kernelPeakRss: hwm,
    samples: samples.filter((_s, i) => i % step === 0),
  })}\n`,
);
