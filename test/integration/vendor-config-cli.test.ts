/**
 * Vendor configurations as the CLI and synth load them, run as a user runs them: problems in plain
 * words with did-you-mean, the CLI working on the other vendors past an invalid file, synth refusing it.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { vendorFolder } from "../support/serve.ts";

const GOOD = {
  id: "good",
  name: "Good Vendor",
  entityTypes: ["price"],
  defaultCurrency: "EUR",
  channels: { file: { format: "canonical" } },
};
const BAD = {
  id: "bad",
  name: "Bad Vendor",
  entityTypes: ["price"],
  channels: { webhook: { scheme: "bigcommerce", secretName: "vendor-sync/bad/webhook", signatureHedaer: "X-Auth" } },
};
const vendorsDir = vendorFolder({ good: GOOD, bad: BAD });
const env = { VENDOR_SYNC_VENDORS_DIR: vendorsDir };

describe("vendor configurations at load", () => {
  it("lists an invalid file's problems in plain words beside the valid vendors", async () => {
    const run = await runCli(["vendors"], { env });
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n").map((line) => line.trim().replace(/^\S*bad\.json: /, "bad.json: "));
    expect(lines).toEqual([
      "bad   INVALID (unavailable):",
      "bad.json: missing required field defaultCurrency",
      "bad.json: channels.webhook: unknown key signatureHedaer (did you mean signatureHeader?)",
      "good  enabled   file  Good Vendor",
      "",
    ]);
  });

  it("keeps working on the other vendors, naming the invalid file", async () => {
    const file = join(tempDir(), "prices.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ entityType: "price", entityKey: "G-1", sourceTs: "2026-11-01T00:00:00Z", attributes: { amount: "5.00", currency: "EUR" } })}\n`,
    );
    const run = await runCli(["import", "--vendor", "good", file, "--in-memory"], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/good {2}SUCCEEDED/);
    expect(run.stderr).toMatch(
      /vendor-sync: warning: \S*bad\.json is invalid, vendor bad is unavailable \(vendor-sync vendors shows why\)/,
    );
  });

  it("says what is wrong with a vendor whose file is invalid when a command names it", async () => {
    const run = await runCli(["records", "--vendor", "bad", "--data-dir", tempDir()], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /vendor bad's configuration is invalid:\n\S*bad\.json: missing required field defaultCurrency\n/,
    );
    expect(run.stderr).toMatch(
      /\n\S*bad\.json: channels\.webhook: unknown key signatureHedaer \(did you mean signatureHeader\?\)\n/,
    );
  });

  it("refuses to synthesize with an invalid vendor file, naming it and each problem", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", repoPath("bin/app.ts")], {
      cwd: repoPath("."),
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^Synth refused: invalid vendor configuration\n\S*bad\.json: missing required field defaultCurrency\n/,
    );
    expect(run.stderr).toMatch(
      /\n\S*bad\.json: channels\.webhook: unknown key signatureHedaer \(did you mean signatureHeader\?\)\n$/,
    );
  });
});
