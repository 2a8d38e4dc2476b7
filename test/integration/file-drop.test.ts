import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../../local/sandbox.ts";
import { repoPath } from "../support/files.ts";
import { openPullSandbox, runToEnd, TestClock, testVendor } from "../support/scheduled.ts";

let sandbox: Sandbox;
let clock: TestClock;

async function open(directMaxBytes = 5 * 1024 * 1024) {
  const vendor = testVendor({
    id: "drops",
    timeZone: "UTC",
    channels: {
      file: { format: "canonical" },
      fileDrop: { bucket: "vendor-drops", prefix: "acme/", directMaxBytes },
    },
  });
  clock = new TestClock();
  sandbox = await openPullSandbox([vendor], clock);
}

function drop(key: string, text: string) {
  const path = join(sandbox.dataDir, "objects", "vendor-drops", ...key.split("/"));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

async function sync() {
  const started = await sandbox.scheduled.jobs.start({ vendorId: "drops", trigger: "cli" });
  if (!started.started) throw new Error("not started");
  return (await runToEnd(sandbox, started.job.jobId, clock)).job;
}

const baseline = () => readFileSync(repoPath("examples/canonical/01-baseline.jsonl"), "utf8");
const price = async (key: string) =>
  (await sandbox.records.get({ vendorId: "drops", entityType: "price", entityKey: key }))?.attributes.amount;

afterEach(async () => {
  await sandbox.close();
});

describe("S3 file-drop connector", () => {
  it("imports the files dropped since the last run, in key order, each once", async () => {
    await open();
    drop("acme/2026-11-01T08-00Z-baseline.jsonl", baseline());
    drop("acme/notes.txt", "not a feed");
    const first = await sync();
    expect(first).toMatchObject({ status: "SUCCEEDED", rowsRead: 9, pagesFetched: 1 });
    expect(first.counts.created).toBe(9);
    expect((await sandbox.sync.getVendorState("drops")).fileDropAfterKey).toBe("acme/2026-11-01T08-00Z-baseline.jsonl");

    const nothingNew = await sync();
    expect(nothingNew).toMatchObject({ status: "SUCCEEDED", rowsRead: 0 });

    drop(
      "acme/2026-11-02T08-00Z-prices.jsonl",
      `${JSON.stringify({ entityType: "price", entityKey: "24-MB01", sourceTs: "2026-11-02T08:00:00Z", attributes: { amount: "36.00", currency: "USD" } })}\n`,
    );
    const second = await sync();
    expect(second).toMatchObject({ status: "SUCCEEDED", rowsRead: 1, counts: { updated: 1, received: 1 } });
    expect(await price("24-MB01")).toBe(3600);
  });

  it("reports a file's bad rows (PARTIAL) and keeps them with their line", async () => {
    await open();
    drop("acme/a.jsonl", `${baseline()}{"entityType":"price","entityKey":"X","attributes":{"amount":"1,5"}}\n`);
    const job = await sync();
    expect(job).toMatchObject({ status: "PARTIAL", counts: { rejected: 1 } });
    expect(job.rejectsFile).toBe(`rejects/drops/jobs/${job.jobId}/`);
    const keys: string[] = [];
    for await (const key of sandbox.archive.list(job.rejectsFile ?? "")) keys.push(key);
    expect(await sandbox.archive.readText(keys[0] ?? "")).toMatch(/"line":10/);
  });

  it("hands a file larger than directMaxBytes to the batch workflow, which finishes the job", async () => {
    await open(100);
    drop("acme/big.jsonl", baseline());
    const job = await sync();
    expect(job).toMatchObject({
      status: "SUCCEEDED",
      rowsRead: 9,
      counts: { created: 9 },
      handoff: { input: "vendor-drops/acme/big.jsonl" },
    });
    expect((await sandbox.sync.getVendorState("drops")).fileDropAfterKey).toBe("acme/big.jsonl");
  });
});
