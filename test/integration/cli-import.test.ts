import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { OUTCOMES } from "../../lambdas/core/model.ts";
import { type CliRun, runCli, tempDir } from "../support/cli.ts";

const MAGENTO = "examples/magento-luma/configurable_products.csv";
const AS_OF = "2026-11-01T06:00:00Z";

/** Parses `--json` output, insisting on exactly one line holding one object. */
function json(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.split("\n").filter((line) => line !== "");
  expect(lines, `stdout: ${run.stdout}\nstderr: ${run.stderr}`).toHaveLength(1);
  return JSON.parse(lines[0] as string);
}

function reconciles(counts: Record<string, number>): boolean {
  return OUTCOMES.reduce((sum, outcome) => sum + (counts[outcome] ?? 0), 0) === counts.received;
}

describe("vendor-sync import — the Magento sample", () => {
  let dataDir: string;
  let first: Record<string, unknown>;
  let firstRun: CliRun;

  beforeAll(async () => {
    dataDir = tempDir();
    firstRun = await runCli([
      "import",
      "--vendor",
      "magento-luma",
      MAGENTO,
      "--as-of",
      AS_OF,
      "--json",
      "--data-dir",
      dataDir,
    ]);
    first = json(firstRun);
  });

  it("imports every row with nothing rejected, exit 0", () => {
    expect(firstRun.code).toBe(0);
    expect(first).toMatchObject({
      vendorId: "magento-luma",
      status: "SUCCEEDED",
      rowsRead: 1994,
      rejectsFile: null,
      counts: { received: 5835, created: 5835, rejected: 0, failed: 0 },
    });
    expect(first.jobId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(reconciles(first.counts as Record<string, number>)).toBe(true);
  });

  it("reports a second import of the same file as 100 % unchanged, not duplicate", async () => {
    const second = json(
      await runCli(["import", "--vendor", "magento-luma", MAGENTO, "--as-of", AS_OF, "--json", "--data-dir", dataDir]),
    );
    expect(second.counts).toMatchObject({ received: 5835, unchanged: 5835, created: 0, updated: 0, duplicate: 0 });
  });

  it("shows stored records with their provenance", async () => {
    const run = await runCli([
      "records",
      "--vendor",
      "magento-luma",
      "--key",
      "MH01-XS-Black",
      "--json",
      "--data-dir",
      dataDir,
    ]);
    const { records } = json(run) as { records: Record<string, unknown>[] };
    expect(records.map((r) => r.entityType)).toEqual(["product", "price", "inventory"]);
    expect(records[1]).toMatchObject({
      source: "vendor:file",
      sourceTs: Date.parse(AS_OF),
      lastJobId: first.jobId,
      attributes: { amount: 5200, currency: "USD" },
    });
  });
});

describe("vendor-sync import — bad input gets a clear error and loses nothing", () => {
  const dir = tempDir();
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const importCanonical = (path: string, dataDir = tempDir()) =>
    runCli(["import", "--vendor", "canonical", path, "--as-of", AS_OF, "--json", "--data-dir", dataDir]);

  it("fails on a missing file with exit 1, naming the file", async () => {
    const run = await runCli(["import", "--vendor", "canonical", join(dir, "nope.csv"), "--json", "--in-memory"]);
    expect(run.code).toBe(1);
    expect(json(run)).toEqual({ error: { message: `file not found: ${join(dir, "nope.csv")}`, field: "<file>" } });
  });

  it("fails on an unknown vendor with exit 1, listing the configured ones", async () => {
    const run = await runCli(["import", "--vendor", "acme", MAGENTO, "--in-memory"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown vendor "acme" \(configured: canonical, magento-luma, shopify-demo\)/);
  });

  it("fails on bad usage (no --vendor) with exit 1", async () => {
    const run = await runCli(["import", MAGENTO]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--vendor/);
  });

  it.each([
    ["an empty file", ""],
    ["a header-only file", "entityType,entityKey,attributes.amount\r\n"],
  ])("ends at once with zero counts for %s", async (_name, content) => {
    const run = await importCanonical(file(`empty-${content.length}.csv`, content));
    expect(run.code).toBe(0);
    expect(json(run)).toMatchObject({ status: "SUCCEEDED", rowsRead: 0, counts: { received: 0 }, rejectsFile: null });
  });

  it("reads a BOM, CRLF and quoted fields with commas, doubled quotes and line breaks", async () => {
    const csv =
      '\ufeffentityType,entityKey,attributes.title,attributes.description\r\nproduct,Q-1,"Bag, large","He said ""hi""\r\nand left"\r\nproduct,Q-2,Plain,\r\n';
    const dataDir = tempDir();
    const run = await importCanonical(file("quoted.csv", csv), dataDir);
    expect(json(run)).toMatchObject({ status: "SUCCEEDED", counts: { created: 2 } });
    const { records } = json(
      await runCli(["records", "--vendor", "canonical", "--key", "Q-1", "--json", "--data-dir", dataDir]),
    ) as {
      records: { attributes: Record<string, string> }[];
    };
    expect(records[0]?.attributes).toEqual({ title: "Bag, large", description: 'He said "hi"\r\nand left' });
  });

  it("fails the job (exit 1) when the rejected share is over the vendor's tolerance, writing nothing; the rejects keep line and reason", async () => {
    const csv = [
      "entityType,entityKey,attributes.amount,attributes.currency",
      "price,OK-1,19.90,USD",
      'price,BAD-1,"1,5",USD',
      "price,BAD-2,10.00,ABC",
      "price,OK-2,1500,JPY",
    ].join("\n");
    const dataDir = tempDir();
    const run = await importCanonical(file("prices.csv", csv), dataDir);
    expect(run.code).toBe(1);
    const result = json(run);
    expect(result).toMatchObject({
      status: "FAILED",
      counts: { received: 4, created: 0, rejected: 2, failed: 2 },
      planned: { created: 2, rejected: 2 },
      error: "rejected share 50.0 % (2 of 4 changes) is over the vendor's tolerated 20 %",
    });
    const rejects = readFileSync(result.rejectsFile as string, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(rejects).toEqual([
      expect.objectContaining({
        line: 3,
        outcome: "rejected",
        field: "attributes.amount",
        entityKey: "BAD-1",
        reason: expect.stringMatching(/decimal comma/),
      }),
      expect.objectContaining({
        line: 4,
        outcome: "rejected",
        field: "attributes.currency",
        entityKey: "BAD-2",
        reason: expect.stringMatching(/unknown currency code "ABC"/),
      }),
    ]);
    const { records } = json(
      await runCli(["records", "--vendor", "canonical", "--key", "OK-1", "--json", "--data-dir", dataDir]),
    ) as { records: unknown[] };
    expect(records).toEqual([]);
  });

  it("syncs the other rows and ends PARTIAL (exit 2) when the rejected share is within the tolerance", async () => {
    const rows = Array.from({ length: 9 }, (_, i) => `price,OK-${i},19.90,USD`);
    const csv = ["entityType,entityKey,attributes.amount,attributes.currency", ...rows, 'price,BAD-1,"1,5",USD'].join(
      "\n",
    );
    const run = await importCanonical(file("prices-mostly-good.csv", csv));
    expect(run.code).toBe(2);
    expect(json(run)).toMatchObject({ status: "PARTIAL", counts: { received: 10, created: 9, rejected: 1 } });
  });

  it("rejects a row over DynamoDB's item size limit with a reason, not a crash", async () => {
    const big = "x".repeat(450_000);
    const small = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({ entityType: "product", entityKey: `SMALL-${i}`, attributes: { title: "Small" } }),
    );
    const jsonl = `${[JSON.stringify({ entityType: "product", entityKey: "BIG", attributes: { title: "Big", description: big } }), ...small].join("\n")}\n`;
    const run = await importCanonical(file("big.jsonl", jsonl));
    const result = json(run);
    expect(result).toMatchObject({ status: "PARTIAL", counts: { created: 5, rejected: 1 } });
    const [reject] = readFileSync(result.rejectsFile as string, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(reject).toMatchObject({
      line: 1,
      entityKey: "BIG",
      field: "attributes.description",
      reason: expect.stringMatching(/over the DynamoDB item limit/),
    });
  });

  it("fails the job (exit 1) when every change is rejected", async () => {
    const run = await importCanonical(
      file("all-bad.jsonl", '{"entityType":"price","entityKey":"X","attributes":{"amount":"n/a"}}\n'),
    );
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ status: "FAILED", counts: { received: 1, rejected: 1 } });
  });

  it("fails the job on a file in another vendor's format, naming the missing header", async () => {
    const run = await runCli([
      "import",
      "--vendor",
      "magento-luma",
      "examples/shopify-demo/products_export_2025-03-01.csv",
      "--json",
      "--in-memory",
    ]);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/line 1: missing header "sku"/) });
  });

  it("fails the job at once on a JSON Lines file for a vendor whose exports are CSV", async () => {
    const run = await runCli([
      "import",
      "--vendor",
      "magento-luma",
      "examples/canonical/01-baseline.jsonl",
      "--json",
      "--in-memory",
    ]);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({
      status: "FAILED",
      counts: { received: 0 },
      error: expect.stringMatching(
        /Magento catalog CSV exports \(format magento-csv\), not JSON Lines; a \.jsonl file looks like our canonical format \(format canonical\)/,
      ),
    });
  });
});
