/**
 * Output that answers the next question, run as a user runs the CLI: which format a misplaced file
 * looks like, the first reasons a partial import rejected rows, money as people read it beside minor
 * units, and an import forwarded to `serve` drawing its progress bar on the caller's terminal.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { VENDOR_CONFIG_DIR } from "../../config/load-vendors.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { type ServeProcess, startServe } from "../support/serve.ts";

describe("import output", () => {
  it("names the format a file in another vendor's format looks like", async () => {
    const run = await runCli([
      "import",
      "--vendor",
      "shopify-demo",
      repoPath("examples/magento-luma/configurable_products.csv"),
      "--in-memory",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'error: line 1: missing header "Handle" (is this a Shopify product export?); it looks like a Magento catalog_product export (format magento-csv): is it another vendor\'s file?',
    );
  });

  it("prints the first reasons of a partial import, not only where the rejects file is", async () => {
    const rows = Array.from({ length: 9 }, (_, i) =>
      JSON.stringify({
        entityType: "price",
        entityKey: `P-${i}`,
        sourceTs: "2026-11-01T00:00:00Z",
        attributes: { amount: "10.00", currency: "USD" },
      }),
    );
    rows.push(
      JSON.stringify({
        entityType: "price",
        entityKey: "P-bad",
        sourceTs: "2026-11-01T00:00:00Z",
        attributes: { amount: "12,50", currency: "USD" },
      }),
    );
    const file = join(tempDir(), "prices.jsonl");
    writeFileSync(file, `${rows.join("\n")}\n`);
    const run = await runCli(["import", "--vendor", "canonical", file, "--in-memory"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      / {2}rejects: \S+\.jsonl\n {4}line 10, attributes\.amount: not a decimal amount: "12,50"/,
    );
  });

  it("names a reject's field once, when its reason starts with it too", async () => {
    const rows = Array.from({ length: 9 }, (_, i) =>
      JSON.stringify({ entityType: "product", entityKey: `T-${i}`, attributes: { title: `Tee ${i}` } }),
    );
    rows.push(
      JSON.stringify({ entityType: "product", entityKey: "T-bad", attributes: { title: "Tee", colour: "red" } }),
    );
    const file = join(tempDir(), "products.jsonl");
    writeFileSync(file, `${rows.join("\n")}\n`);
    const run = await runCli([
      "import",
      "--vendor",
      "canonical",
      file,
      "--as-of",
      "2026-11-01T00:00:00Z",
      "--in-memory",
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('\n    line 10, attributes.colour: unknown field "colour"\n');
  });
});

describe("job output", () => {
  it("shows an import's rows read, not pages and records of a pull", async () => {
    const dataDir = tempDir();
    const imported = await runCli([
      "import",
      "--vendor",
      "canonical",
      repoPath("examples/canonical/01-baseline.jsonl"),
      "--data-dir",
      dataDir,
      "--json",
    ]);
    expect(imported.code).toBe(0);
    const { jobId } = JSON.parse(imported.stdout) as { jobId: string };
    const shown = await runCli(["job", jobId, "--data-dir", dataDir]);
    expect(shown.code).toBe(0);
    expect(shown.stdout.split("\n")[0]).toMatch(
      new RegExp(`^job ${jobId} {2}canonical {2}SUCCEEDED in \\S+ s {2}\\(batch, 9 rows read, cli\\)$`),
    );
  });
});

describe("records output", () => {
  it("shows money as 119.90 EUR on the terminal and keeps minor units beside the formatted amount in JSON", async () => {
    const dataDir = tempDir();
    const file = join(dataDir, "price.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ entityType: "price", entityKey: "EUR-1", sourceTs: "2026-11-01T00:00:00Z", attributes: { amount: "119.90", currency: "EUR", compareAtAmount: "130.00" } })}\n`,
    );
    expect((await runCli(["import", "--vendor", "canonical", file, "--data-dir", dataDir])).code).toBe(0);
    const text = await runCli(["records", "--vendor", "canonical", "--key", "EUR-1", "--data-dir", dataDir]);
    expect(text.stdout).toContain('{"amount":"119.90 EUR","compareAtAmount":"130.00 EUR"}');
    const json = await runCli(["records", "--vendor", "canonical", "--key", "EUR-1", "--json", "--data-dir", dataDir]);
    expect(JSON.parse(json.stdout).records[0]).toMatchObject({
      attributes: { amount: 11990, compareAtAmount: 13000, currency: "EUR" },
      formatted: { amount: "119.90 EUR", compareAtAmount: "130.00 EUR" },
    });
  });
});

/** `script` gives a command a terminal (util-linux); without it these tests cannot see what a terminal shows. */
const hasScript = existsSync("/usr/bin/script");

describe.skipIf(!hasScript)("an import forwarded to serve, on a terminal", () => {
  let serve: ServeProcess | undefined;
  afterAll(async () => {
    await serve?.stop();
  });

  /** Runs `vendor-sync import` under a pseudo-terminal and returns everything the terminal received. */
  function onTerminal(dataDir: string, env: NodeJS.ProcessEnv): string {
    const command = [
      process.execPath,
      repoPath("bin/vendor-sync.mjs"),
      "import",
      "--vendor",
      "canonical",
      repoPath("examples/canonical/01-baseline.jsonl"),
      "--as-of",
      "2026-11-01T00:00:00Z",
      "--data-dir",
      dataDir,
    ].join(" ");
    const out = join(dataDir, "terminal.txt");
    execFileSync("/usr/bin/script", ["-qfec", command, out], {
      cwd: repoPath("."),
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
    return readFileSync(out, "utf8");
  }

  it("draws the progress bar on the caller's terminal, and nothing but text under NO_COLOR", async () => {
    serve = await startServe({ vendorsDir: VENDOR_CONFIG_DIR });
    const drawn = onTerminal(serve.dataDir, { NO_COLOR: "", TERM: "xterm" });
    expect(drawn).toMatch(/canonical \S*[█░]\S* 100% \| \d+ created/);
    expect(drawn).toMatch(/canonical {2}SUCCEEDED/);
    const plain = onTerminal(serve.dataDir, { NO_COLOR: "1", TERM: "xterm" });
    expect(plain).toMatch(/canonical {2}SUCCEEDED/);
    expect(plain).not.toContain("\u001b");
  });
});
