import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runCli, tempDir } from "../support/cli.ts";

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output is inspected field by field.
type Json = any;

/** Parses `--json` output, insisting on exactly one line holding one object. */
function json(run: CliRun): Json {
  const lines = run.stdout.split("\n").filter((line) => line !== "");
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  return JSON.parse(lines[0] as string);
}

const dir = tempDir();
const file = (name: string, lines: readonly string[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};
const price = (key: string, amount: string) =>
  JSON.stringify({ entityType: "price", entityKey: key, attributes: { amount, currency: "USD" } });
const KEYS = Array.from({ length: 20 }, (_, i) => `P-${String(i).padStart(2, "0")}`);

describe("vendor-sync import --dry-run and --full", () => {
  let dataDir: string;
  const importFile = (path: string, asOf: string, ...flags: string[]) =>
    runCli(["import", "--vendor", "canonical", path, "--as-of", asOf, "--json", "--data-dir", dataDir, ...flags]);
  const stored = async (key: string) =>
    (
      json(
        await runCli([
          "records",
          "--vendor",
          "canonical",
          "--key",
          key,
          "--type",
          "price",
          "--json",
          "--data-dir",
          dataDir,
        ]),
      ).records as Json[]
    )[0];

  beforeAll(async () => {
    dataDir = tempDir();
    const baseline = json(
      await importFile(
        file(
          "baseline.jsonl",
          KEYS.map((k) => price(k, "5.00")),
        ),
        "2026-11-01T08:00:00Z",
      ),
    );
    expect(baseline).toMatchObject({ status: "SUCCEEDED", counts: { created: 20 } });
  });

  it("--dry-run prints what would change with a per-record diff report, writes nothing, exit 0", async () => {
    const path = file("changes.jsonl", [price("P-00", "6.00"), price("NEW-1", "1.00"), price("P-01", "5.00")]);
    const run = await importFile(path, "2026-11-01T09:00:00Z", "--dry-run");
    expect(run.code).toBe(0);
    const result = json(run);
    expect(result).toMatchObject({
      status: "SUCCEEDED",
      dryRun: true,
      counts: { received: 3, created: 1, updated: 1, unchanged: 1 },
    });
    const diff = readFileSync(result.diffReport, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(diff).toEqual([
      {
        line: 1,
        entityType: "price",
        entityKey: "P-00",
        outcome: "updated",
        op: "upsert",
        fields: [{ field: "amount", current: 500, incoming: 600 }],
      },
      expect.objectContaining({ line: 2, entityKey: "NEW-1", outcome: "created" }),
    ]);
    expect(await stored("P-00")).toMatchObject({ attributes: { amount: 500 } });
    expect(await stored("NEW-1")).toBeUndefined();
  });

  it("--dry-run prints a human summary with the diff report's path", async () => {
    const run = await runCli([
      "import",
      "--vendor",
      "canonical",
      file("one.jsonl", [price("P-00", "6.00")]),
      "--as-of",
      "2026-11-01T09:00:00Z",
      "--dry-run",
      "--data-dir",
      dataDir,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/SUCCEEDED \(dry run\)/);
    expect(run.stdout).toMatch(/would be: received 1 = created 0 \+ updated 1/);
    expect(run.stdout).toMatch(/diff report: .*diff\.jsonl/);
  });

  it("fails a dry run (exit 1) whose validation would fail", async () => {
    const run = await importFile(file("bad.jsonl", [price("P-00", "n/a")]), "2026-11-01T09:00:00Z", "--dry-run");
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ status: "FAILED", dryRun: true, error: expect.stringMatching(/rejected share/) });
  });

  it("fails a --full snapshot (exit 1) that would delete more than the mass-deletion guard allows; nothing is deleted", async () => {
    const run = await importFile(
      file(
        "half.jsonl",
        KEYS.slice(0, 10).map((k) => price(k, "5.00")),
      ),
      "2026-11-01T09:00:00Z",
      "--full",
    );
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({
      status: "FAILED",
      full: true,
      tombstones: { planned: 10, stored: 20 },
      error: expect.stringMatching(/mass-deletion guard of 10 %/),
    });
    expect(await stored("P-15")).toMatchObject({ deleted: false });
  });

  it("--full deletes the records a snapshot no longer has, within the guard (exit 0)", async () => {
    const run = await importFile(
      file(
        "almost-all.jsonl",
        KEYS.slice(0, 19).map((k) => price(k, "5.00")),
      ),
      "2026-11-01T09:00:00Z",
      "--full",
    );
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({
      status: "SUCCEEDED",
      full: true,
      counts: { received: 20, unchanged: 19, updated: 1 },
      tombstones: { planned: 1, percent: 5, limitPercent: 10 },
    });
    expect(await stored("P-19")).toMatchObject({ deleted: true });
  });
});
