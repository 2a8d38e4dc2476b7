/**
 * The command-line conventions, run as a user runs them (a separate process): --version, required
 * options in help, one-line usage errors that keep their did-you-mean, pure --json errors.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";

const VERSION = (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { version: string }).version;

describe("vendor-sync command-line conventions", () => {
  it("prints its version with --version and exits 0", async () => {
    const run = await runCli(["--version"]);
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it("marks required options in help and in the usage line", async () => {
    const run = await runCli(["import", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: vendor-sync import --vendor <id> \[options\] <file>\n/);
    expect(run.stdout).toMatch(/--vendor <id>\s+vendor id \(config\/vendors\/<id>\.json\) \(required\)\n/);
  });

  it("keeps the did-you-mean of a mistyped required option, in one line plus where the help is", async () => {
    const run = await runCli(["import", "--vendr", "magento-luma", "file.csv", "--in-memory"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "vendor-sync: unknown option '--vendr' (did you mean --vendor?)\nsee 'vendor-sync import --help'\n",
    );
    expect(run.stdout).toBe("");
  });

  it("names a missing required option in one line", async () => {
    const run = await runCli(["records", "--data-dir", tempDir()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "vendor-sync: required option '--vendor <id>' not specified\nsee 'vendor-sync records --help'\n",
    );
  });

  it("reports a usage error under --json as one JSON object without a doubled prefix", async () => {
    const run = await runCli(["dlq", "shw", "--json"]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { message: "unknown command 'shw' (did you mean show?)" } });
    expect(run.stderr).toMatch(/see 'vendor-sync dlq --help'\n$/);
  });
});
