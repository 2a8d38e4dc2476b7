/**
 * 1. CPU per change on one core: the file reader (csv-parse / readline, as `vendor-sync import` and
 * the prepare stage read files) → normaliser → `toChange` (validate, map, hash), then the same plus
 * the write path's decision and DynamoDB marshalling (`toItem`), so the split is visible. Best round
 * of several (tinybench, wall clock on the bench's one thread) over a fixed set of realistic records.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { Bench } from "tinybench";
import { toItem } from "../../lambdas/adapters/dynamodb/record-item.ts";
import { readRows } from "../../lambdas/adapters/file-rows.ts";
import { type ChangeContext, toChange } from "../../lambdas/core/change.ts";
import { decide } from "../../lambdas/core/conflict-rules.ts";
import { ValidationError } from "../../lambdas/core/errors.ts";
import { createNormaliser, type FileSyntax } from "../../lambdas/core/formats/index.ts";
import type { FileFormat, VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { writePolicyFor } from "../../lambdas/core/vendor-policy.ts";
import { Figures } from "../lib/budget.ts";
import { canonicalLines, contextFor, MAGENTO_CSV, vendor } from "../lib/fixtures.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";

interface Workload {
  readonly name: string;
  readonly vendor: VendorConfig;
  readonly format: FileFormat;
  readonly syntax: FileSyntax;
  readonly bytes: Buffer;
}

/** Runs one file through reader → normaliser → toChange (→ decide → toItem). @returns changes seen. */
async function run(work: Workload, context: ChangeContext, marshal: boolean): Promise<number> {
  const normaliser = createNormaliser(work.format, work.syntax, { weightUnit: work.vendor.channels.file?.weightUnit });
  const now = Date.now();
  let changes = 0;
  const take = (inputs: readonly unknown[]) => {
    for (const input of inputs) {
      changes++;
      try {
        const change = toChange(input, context);
        if (marshal) {
          const decision = decide(undefined, change, writePolicyFor(work.vendor, change.entityType), now);
          if (decision.action === "write") toItem(decision.record);
        }
      } catch (error) {
        // A rejected change costs its validation too; it still counts.
        if (!(error instanceof ValidationError)) throw error;
      }
    }
  };
  for await (const item of readRows(Readable.from([work.bytes]), { syntax: work.syntax })) {
    if (item.kind === "header") {
      if (item.columns.length > 0) normaliser.header(item.columns);
    } else if (item.kind === "row") {
      const out = normaliser.push(item.row);
      take(out.changes);
    }
  }
  take(normaliser.flush().changes);
  return changes;
}

/** @returns the best round, in µs per change, and the number of changes per round. */
async function bestRound(
  work: Workload,
  marshal: boolean,
  options: SectionOptions,
): Promise<{ usPerChange: number; changes: number; rounds: number }> {
  const context = contextFor(work.vendor);
  const changes = await run(work, context, marshal);
  const bench = new Bench({
    iterations: options.quick ? 3 : 25,
    time: 0,
    warmup: true,
    warmupIterations: options.quick ? 1 : 3,
    warmupTime: 0,
    throws: true,
  });
  bench.add(work.name, async () => {
    await run(work, context, marshal);
  });
  await bench.run();
  const result = bench.tasks[0]?.result as { latency?: { min: number; samplesCount?: number } } | undefined;
  if (!result?.latency) throw new Error(`${work.name}: no result`);
  return { usPerChange: (result.latency.min * 1000) / changes, changes, rounds: options.quick ? 3 : 25 };
}

export async function cpuSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("cpu");
  const jsonl: Workload = {
    name: "canonical JSONL",
    vendor: vendor("canonical"),
    format: "canonical",
    syntax: "jsonl",
    bytes: Buffer.from(`${canonicalLines().join("\n")}\n`),
  };
  const csv: Workload = {
    name: "Magento CSV",
    vendor: vendor("magento-luma"),
    format: "magento-csv",
    syntax: "csv",
    bytes: readFileSync(MAGENTO_CSV),
  };
  const details: Record<string, unknown> = {};
  for (const [key, work, target] of [
    ["jsonl", jsonl, 12],
    ["csv", csv, 40],
  ] as const) {
    const plain = await bestRound(work, false, options);
    const marshalled = await bestRound(work, true, options);
    details[key] = {
      changes: plain.changes,
      bytes: work.bytes.length,
      rounds: plain.rounds,
      usPerChange: plain.usPerChange,
      usPerChangeWithMarshalling: marshalled.usPerChange,
    };
    figures.budget(
      `${key}`,
      `${work.name}: read + normalise + validate + map + hash`,
      plain.usPerChange,
      "µs/change",
      "<=",
      target,
      `best of ${plain.rounds} rounds over ${plain.changes} changes (${(work.bytes.length / 1024).toFixed(0)} KiB)`,
    );
    figures.info(
      `${key}WithMarshalling`,
      `${work.name}: the same + decide + DynamoDB marshalling (toItem)`,
      marshalled.usPerChange,
      "µs/change",
      `decide + marshalling alone: ${(marshalled.usPerChange - plain.usPerChange).toFixed(2)} µs/change`,
    );
  }
  return { figures: figures.list, details };
}
