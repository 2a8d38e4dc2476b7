/**
 * Batch runs that do not reach their commit: a cancel stops the run (the sandbox's StopExecution) and
 * the job ends CANCELLED; a run whose process is gone is ended FAILED (interrupted) by the next
 * process on the data directory. Either way written changes count as their outcomes, the rest as
 * failed, received = sum of outcomes, the working files are removed, and a re-run reconciles.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import type { JobItem } from "../../lambdas/core/jobs/job.ts";
import { countsReconcile } from "../../lambdas/core/outcomes.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { importFile } from "../../local/commands/import.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { tempDir } from "../support/cli.ts";

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** A canonical CSV of `rows` prices. */
function prices(rows: number): string {
  const file = join(tempDir(), "prices.csv");
  const lines = Array.from({ length: rows }, (_, i) => `price,P-${i},2026-11-01T00:00:00Z,${1 + (i % 90)}.00`);
  writeFileSync(file, `entityType,entityKey,sourceTs,attributes.amount\n${lines.join("\n")}\n`);
  return file;
}

/** Records of the job as the store holds them. */
async function writtenBy(s: Sandbox, jobId: string, rows: number): Promise<number> {
  const keys = Array.from({ length: rows }, (_, i) => ({
    vendorId: "canonical",
    entityType: "price" as const,
    entityKey: `P-${i}`,
  }));
  const stored = await s.records.getMany(keys);
  return [...stored.values()].filter((record) => record.lastJobId === jobId).length;
}

describe("cancelling a running import", () => {
  it("stops its run: the job ends CANCELLED with what it wrote counted, the rest failed, and its files removed", async () => {
    // One apply child at a time: a 5,000-row file plans 5 parts, applied as children of 4 parts and of 1.
    const vendors = new Map(loadVendorConfigs());
    vendors.set("canonical", { ...(vendors.get("canonical") as VendorConfig), maxConcurrency: 1 });
    const s = await openSandbox({ dataDir: tempDir(), command: "test", log: silentLog, vendors });
    sandbox = s;
    const rows = 5_000;
    let cancelled: Promise<JobItem> | undefined;
    const result = await importFile(s, {
      vendorId: "canonical",
      file: prices(rows),
      onResults: (results) => {
        if (cancelled || !results.some((r) => r.outcome === "created")) return;
        cancelled = s.sync
          .listJobs("canonical", { limit: 1 })
          .then(([job]) => s.scheduled.jobs.cancel((job as JobItem).jobId, "test"));
      },
    });
    const job = await cancelled;
    expect(job).toMatchObject({ status: "CANCELLED", errorSummary: expect.stringMatching(/cancelled by test/) });
    expect(result).toMatchObject({ jobId: job?.jobId, status: "CANCELLED" });
    const written = await writtenBy(s, result.jobId, rows);
    // The child running when the cancel came finished its parts; the other never started.
    expect(written).toBe(4_000);
    expect(job?.counts).toMatchObject({ received: rows, created: written, failed: rows - written });
    expect(countsReconcile(job?.counts ?? ({} as never))).toBe(true);
    const work = join(s.dataDir, "bucket", "changesets", "canonical", result.jobId);
    expect(existsSync(work)).toBe(false);

    // A re-run reconciles: what was written is unchanged, the rest is created.
    const again = await importFile(s, { vendorId: "canonical", file: prices(rows) });
    expect(again).toMatchObject({
      status: "SUCCEEDED",
      counts: { received: rows, unchanged: written, created: rows - written },
    });
  });
});

describe("a batch run whose process is gone", () => {
  it("is ended FAILED (interrupted) by the next process on the data directory, freeing nothing it should keep", async () => {
    const dataDir = tempDir();
    const first = await openSandbox({ dataDir, command: "test", log: silentLog });
    // A run owned by a session that no longer holds the directory, stopped after validation.
    const jobId = "01JINTERRUPTED0000000000001";
    await first.sync.createJob({
      jobId,
      vendorId: "canonical",
      workflow: "batch",
      trigger: "cli",
      input: {},
      createdAt: Date.now(),
      owner: "sandbox:gone",
    });
    await first.sync.transitionJob(jobId, "RUNNING", { startedAt: Date.now() });
    await first.close();

    const next = await openSandbox({ dataDir, command: "test", log: silentLog });
    sandbox = next;
    const job = await next.sync.getJob(jobId);
    expect(job).toMatchObject({
      status: "FAILED",
      errorSummary: expect.stringMatching(/^interrupted: the vendor-sync process running it stopped/),
      counts: { received: 0 },
    });
    const bucket = join(dataDir, "bucket");
    expect(existsSync(bucket) ? readdirSync(bucket).filter((entry) => entry !== "rejects") : []).toEqual([]);
  });
});
