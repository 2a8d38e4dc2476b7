import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { SyncRecord } from "../../lambdas/core/record.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";

function runDemo(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", repoPath("local/demo.ts")], {
      cwd: repoPath("."),
      env: { ...process.env, VENDOR_SYNC_DATA_DIR: dataDir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run demo", () => {
  it("runs the main job on the bundled examples, exit 0, with reconciling counts and the outcomes it promises", async () => {
    const dataDir = tempDir("vendor-sync-demo-");
    const run = await runDemo(dataDir);
    expect(run.code, run.stderr).toBe(0);
    // Its output goes to a pipe here, as into a file: plain text, no escape codes.
    expect(run.stdout).not.toContain("\u001b");
    // Every summary line adds up.
    for (const match of run.stdout.matchAll(/received (\d+) = (.*)\n/g)) {
      const sum = [...(match[2] as string).matchAll(/\d+/g)].reduce((total, n) => total + Number(n[0]), 0);
      expect(sum).toBe(Number(match[1]));
    }
    expect(run.stdout).toMatch(
      /magento-luma {2}SUCCEEDED .*\(1994 rows read\)\n {2}received 5835 = created 5835 .* rejected 0/,
    );
    expect(run.stdout).toMatch(/received 5835 = created 0 \+ updated 0 \+ unchanged 5835/);
    expect(run.stdout).toMatch(/PutItem calls on the records table during the re-import: 0/);
    for (const outcome of ["updated", "unchanged", "stale", "conflicted", "rejected"]) {
      expect(run.stdout).toMatch(new RegExp(`line +\\d+ +\\w+ +\\S+ +${outcome}`));
    }
    expect(run.stdout).toMatch(/reason +price-guard/);
    expect(run.stdout).toMatch(/reason +data: the record holds a local edit \(internal/);
    expect(run.stdout).toMatch(/2 open conflicts/);
    // The real-time part: signed deliveries, a duplicate, a stale late update, a bad signature, a bad body, a delete.
    expect(run.stdout).toMatch(/202 {2}the same delivery again.*"duplicate":true/);
    expect(run.stdout).toMatch(/401 {2}a tampered body.*bad-signature/);
    expect(run.stdout).toMatch(/400 {2}a body that is not JSON/);
    expect(run.stdout).toMatch(/products\/update:demo-evt-0 +\d+ unchanged, 3 stale/);
    expect(run.stdout).toMatch(/products\/delete:demo-evt-6 +\d+ updated/);
    expect(run.stdout).toMatch(/price CVT-SM-GRY now: deleted/);
    // Operations: a paused vendor's webhook parked then processed once; a poison message dead-lettered.
    expect(run.stdout).toMatch(/1 message parked outside the queue/);
    expect(run.stdout).toMatch(/1 re-queued; price 24-UG06 now \{"amount":2900,"currency":"KWD"\}/);
    expect(run.stdout).toMatch(/realtime-dlq: 1 dead letter\n/);
    // One product followed from the file exports through a REST pull (live, with a rate-limit hand-over) to webhooks.
    expect(run.stdout).toMatch(/after the export of 2025-03-08:[\s\S]*?price CVT-SM-GRY 54\.00 USD \(vendor:file/);
    expect(run.stdout).toMatch(/page 1: 2 products \(2 so far\)/);
    expect(run.stdout).toMatch(/rate-limited .*step 2 follows in a message delayed 2 s/);
    expect(run.stdout).toMatch(/page 3: 1 product \(5 so far\)/);
    expect(run.stdout).toMatch(/shopify-demo {2}SUCCEEDED in .*\(incremental, 3 pages, 5 records/);
    expect(run.stdout).toMatch(
      /after the REST pull[^\n]*:[\s\S]*?price CVT-SM-GRY 60\.00 USD \(vendor:pull, 2025-03-11/,
    );
    expect(run.stdout).toMatch(
      /after the products\/update webhook of 2025-03-14:[\s\S]*?price CVT-SM-GRY 54\.00 USD \(vendor:webhook, 2025-03-14/,
    );

    // Every workflow's writes publish change notifications (the table stream's stand-in) one to one,
    // by (record, version), with the writes that changed content: versions count exactly those.
    const published = readFileSync(join(dataDir, "notifications.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => {
        const { message: m } = JSON.parse(line) as { message: Record<string, unknown> };
        return `${m.vendorId} ${m.entityType} ${m.entityKey} v${m.version}`;
      });
    const written: string[] = [];
    for (const vendor of ["magento-luma", "canonical", "shopify-demo"]) {
      const listed = await runCli(["records", "--vendor", vendor, "--limit", "10000", "--json", "--data-dir", dataDir]);
      expect(listed.code, listed.stderr).toBe(0);
      for (const r of (JSON.parse(listed.stdout) as { records: SyncRecord[] }).records) {
        for (let v = 1; v <= r.version; v++) written.push(`${r.vendorId} ${r.entityType} ${r.entityKey} v${v}`);
      }
    }
    expect(published.length).toBeGreaterThan(5835);
    expect(published.sort()).toEqual(written.sort());
  });

  it("refuses to reset a data directory holding files it did not write, and leaves them", async () => {
    const dir = tempDir("vendor-sync-demo-foreign-");
    writeFileSync(join(dir, "notes.txt"), "keep me");
    const run = await runDemo(dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/holds files vendor-sync did not write \(notes\.txt\)/);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("keep me");
  });
});
