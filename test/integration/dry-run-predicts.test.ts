/**
 * A dry run is a promise about the live run that follows it: on the bundled examples, in the demo's
 * order, each file's dry-run report names exactly the outcomes the live import then has.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DiffEntry } from "../../lambdas/core/batch/model.ts";
import type { ChangeResult } from "../../lambdas/core/changes/results.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { importFile } from "../../local/commands/import.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { repoPath } from "../support/files.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
});
afterAll(() => sandbox.close());

/** The demo's files with a rich mix of outcomes, in its order and with its as-of times, then a resync. */
const STEPS = [
  ["canonical", "examples/canonical/01-baseline.jsonl", "2026-11-01T08:00:00Z"],
  ["canonical", "examples/canonical/02-internal-edit.jsonl", "2026-11-01T09:00:00Z"],
  ["canonical", "examples/canonical/03-vendor-updates.jsonl", "2026-11-01T10:00:00Z"],
  ["shopify-demo", "examples/shopify-demo/products_export_2025-03-01.csv", "2025-03-01T00:00:00-05:00"],
  ["shopify-demo", "examples/shopify-demo/products_export_2025-03-08.csv", "2025-03-08T00:00:00-05:00"],
  ["shopify-demo", "examples/shopify-demo/products_export_2025-03-08.csv", "2025-03-09T00:00:00-05:00"],
] as const;

/** `line entityType entityKey → outcome` of every change a report or a run says is not a no-op. */
const byChange = (entries: readonly Pick<DiffEntry, "line" | "entityType" | "entityKey" | "outcome">[]) =>
  Object.fromEntries(
    entries
      .filter((e) => e.outcome !== "unchanged" && e.outcome !== "duplicate")
      .map((e) => [`${e.line ?? "-"} ${e.entityType} ${e.entityKey}`, e.outcome]),
  );

describe("a dry run predicts the live run that follows it (bundled examples, the demo's order)", () => {
  it("reports, per file, the counts and the per-change outcomes the live import then has", async () => {
    const seen = new Set<string>();
    for (const [vendorId, file, asOf] of STEPS) {
      const dry = await importFile(sandbox, { vendorId, file: repoPath(file), asOf, dryRun: true });
      const report = dry.diffReport
        ? readFileSync(dry.diffReport, "utf8")
            .trim()
            .split("\n")
            .filter(Boolean)
            .map((line) => JSON.parse(line) as DiffEntry)
        : [];
      const results: ChangeResult[] = [];
      const live = await importFile(sandbox, {
        vendorId,
        file: repoPath(file),
        asOf,
        onResults: (r) => results.push(...r),
      });
      expect(dry.planned, file).toEqual(live.counts);
      expect(dry.counts, file).toEqual(live.counts);
      expect(byChange(report), file).toEqual(byChange(results));
      for (const outcome of Object.values(byChange(report))) seen.add(outcome);
    }
    expect([...seen].sort()).toEqual(["conflicted", "created", "stale", "updated"]);
  }, 120_000);
});
