/**
 * Follows docs/vendor-onboarding.md's walkthrough as a new operator would: writes the files it shows,
 * starts `serve` where it says so, and runs every `npx vendor-sync` line of its `sh walkthrough`
 * blocks, in order, as separate processes — from a config file to a signed delivery in the store.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { lexer, type Tokens } from "marked";
import { afterAll, describe, expect, it } from "vitest";
import { type CliRun, runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { type ServeProcess, startServe } from "../support/serve.ts";

/** The walkthrough section's tokens, in document order. */
function walkthrough() {
  const tokens = lexer(readFileSync(repoPath("docs/vendor-onboarding.md"), "utf8"));
  const start = tokens.findIndex((t) => t.type === "heading" && /^Walkthrough/.test((t as Tokens.Heading).text));
  const end = tokens.findIndex((t, i) => i > start && t.type === "heading" && (t as Tokens.Heading).depth <= 2);
  return tokens.slice(start + 1, end < 0 ? undefined : end);
}

let serve: ServeProcess | undefined;
afterAll(async () => {
  await serve?.stop();
});

describe("docs/vendor-onboarding.md walkthrough", () => {
  it("takes a new vendor from its config file to a signed delivery with vendor-sync commands only", async () => {
    const work = tempDir("onboarding-");
    const vendorsDir = join(work, "config", "vendors");
    const dataDir = join(work, ".vendor-sync");
    mkdirSync(vendorsDir, { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    const env = { VENDOR_SYNC_VENDORS_DIR: vendorsDir, VENDOR_SYNC_DATA_DIR: dataDir };
    const runs: { command: string; run: CliRun }[] = [];

    for (const token of walkthrough()) {
      if (token.type === "code") {
        const code = token as Tokens.Code;
        const file = /^json file=(\S+)$/.exec(code.lang ?? "")?.[1];
        if (file) {
          const path = file.startsWith("config/vendors/")
            ? join(vendorsDir, file.slice("config/vendors/".length))
            : join(work, file);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, `${code.text}\n`);
        } else if (code.lang === "sh walkthrough") {
          for (const line of code.text.split("\n").filter((l) => l.startsWith("npx vendor-sync "))) {
            const run = await runCli(line.slice("npx vendor-sync ".length).split(/\s+/), { cwd: work, env });
            expect(run.code, `${line}\n${run.stdout}${run.stderr}`).toBe(0);
            runs.push({ command: line, run });
          }
        }
      } else if (!serve && "raw" in token && token.raw.includes("`npx vendor-sync serve`")) {
        serve = await startServe({ vendorsDir, dataDir });
      }
    }

    const output = (prefix: string) => runs.find((r) => r.command.startsWith(prefix))?.run.stdout ?? "";
    expect(runs.map((r) => r.command)).toEqual([
      "npx vendor-sync vendors",
      "npx vendor-sync vendors show --vendor acme",
      "npx vendor-sync webhook send --vendor acme price-update.json",
      "npx vendor-sync records --vendor acme --type price",
    ]);
    expect(output("npx vendor-sync vendors")).toMatch(/^acme\s+enabled\s+webhook\s+Acme Supplies$/m);
    const shown = output("npx vendor-sync vendors show");
    expect(shown).toContain(`webhook URL    ${serve?.url}/webhooks/acme`);
    expect(shown).toMatch(/headers .*webhook-signature {2}or {2}.*svix-signature/);
    expect(shown).toMatch(/sandbox: .*secrets\.json \(set\)/);
    expect(output("npx vendor-sync webhook send")).toMatch(
      /^POST .*\/webhooks\/acme \(event (msg_\w+)\) → 202 \{"eventId":"msg_\w+"\}\n$/,
    );
    expect(output("npx vendor-sync records")).toMatch(/^price ACME-100 {2}v1\n.*\n {2}\{"amount":"119\.90 EUR"\}$/m);
    await serve?.waitFor(/webhook acme {2}status: 202 {2}eventId: msg_\w+ {2}duration: \d+ ms\n/);
  }, 300_000);
});
