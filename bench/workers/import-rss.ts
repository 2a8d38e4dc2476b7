/**
 * One end-to-end `vendor-sync import` (`importFile`: every stage, the batch runner, the bucket
 * folder) into a DynamoDB endpoint served by another process, for its memory. Samples its RSS every
 * 20 ms and prints one JSON line with the peak and the job's counts.
 *
 * Usage: `node import-rss.mjs <endpoint> <file> <vendorId> <vendor config dir> <tmp dir>`
 */
import { readFileSync } from "node:fs";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { importFile } from "../../local/commands/import.ts";
import { asSandbox, openImportSandbox } from "../lib/bench-sandbox.ts";

const [endpoint, file, vendorId, configDir, tmpDir] = process.argv.slice(2) as [string, string, string, string, string];
let peak = process.memoryUsage.rss();
const baseline = peak;
const started = performance.now();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 20);
const sandbox = openImportSandbox(endpoint, tmpDir, loadVendorConfigs(configDir));
const result = await importFile(asSandbox(sandbox), {
  vendorId,
  file,
  asOf: new Date(Date.UTC(2026, 10, 1, 6)).toISOString(),
});
clearInterval(sampler);
sandbox.close();
const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
process.stdout.write(
  `${JSON.stringify({
    status: result.status,
    rows: result.rowsRead,
    changes: result.counts.received,
    seconds: (performance.now() - started) / 1000,
    baselineRss: baseline,
    peakRss: Math.max(peak, hwm),
    sampledPeakRss: peak,
    kernelPeakRss: hwm,
  })}\n`,
);
