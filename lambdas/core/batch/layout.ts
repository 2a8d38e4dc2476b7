/**
 * Where the batch workflow keeps its files, one prefix per kind so the imports bucket's lifecycle
 * rules can expire each kind on its own schedule (see `lib/constructs/imports-bucket.ts`).
 *
 * ```
 * imports/<vendorId>/…                        uploads (the trigger prefix)
 * normalised/<vendorId>/<jobId>/changes.jsonl canonical JSON Lines (+ keys/<shard>.txt for full snapshots)
 * changesets/<vendorId>/<jobId>/…             planned writes per batch, and the apply manifests
 * results/<vendorId>/<jobId>/…                per-batch plan and apply results, validation, Map Run output
 * rejects/<vendorId>/<jobId>.jsonl            every rejected or failed change (parts under rejects/<vendorId>/<jobId>/)
 * reports/<vendorId>/<jobId>/diff.jsonl       dry-run diff report
 * ```
 */

/** Key prefixes, one per kind of object (lifecycle rules use them). */
export const BATCH_PREFIXES = {
  uploads: "imports/",
  normalised: "normalised/",
  changeSets: "changesets/",
  results: "results/",
  rejects: "rejects/",
  reports: "reports/",
} as const;

const pad = (n: number) => String(n).padStart(2, "0");

/** @returns every key of one job. */
export function jobKeys(vendorId: string, jobId: string) {
  const job = `${vendorId}/${jobId}`;
  return {
    normalised: `${BATCH_PREFIXES.normalised}${job}/changes.jsonl`,
    /** Record keys (`entityType<TAB>entityKey`) of one write shard, for full snapshots. */
    keyShard: (shard: number) => `${BATCH_PREFIXES.normalised}${job}/keys/${pad(shard)}.txt`,
    changeSetPart: (partId: string) => `${BATCH_PREFIXES.changeSets}${job}/parts/${partId}.jsonl`,
    changeManifest: `${BATCH_PREFIXES.changeSets}${job}/manifest.jsonl`,
    tombstoneManifest: `${BATCH_PREFIXES.changeSets}${job}/tombstones.jsonl`,
    planResultsPrefix: `${BATCH_PREFIXES.results}${job}/plan/`,
    planResult: (batchId: string) => `${BATCH_PREFIXES.results}${job}/plan/${batchId}.json`,
    applyResultsPrefix: `${BATCH_PREFIXES.results}${job}/apply/`,
    applyResult: (partId: string) => `${BATCH_PREFIXES.results}${job}/apply/${partId}.json`,
    validation: `${BATCH_PREFIXES.results}${job}/validation.json`,
    /** What prepare learned of a handed-over job (`BatchHandoff`), for commit. */
    handoff: `${BATCH_PREFIXES.results}${job}/handoff.json`,
    /** Where the Distributed Maps' ResultWriter puts its manifests and child execution results. */
    mapRuns: `${BATCH_PREFIXES.results}${job}/map-runs`,
    rejectsPartsPrefix: `${BATCH_PREFIXES.rejects}${job}/`,
    /** Rejects parts sort as prepare (0), plan (1), apply (2), then by batch. */
    prepareRejects: `${BATCH_PREFIXES.rejects}${job}/0-prepare.jsonl`,
    planRejects: (batchId: string) => `${BATCH_PREFIXES.rejects}${job}/1-plan-${batchId}.jsonl`,
    applyRejects: (partId: string) => `${BATCH_PREFIXES.rejects}${job}/2-apply-${partId}.jsonl`,
    rejects: `${BATCH_PREFIXES.rejects}${job}.jsonl`,
    diffPartsPrefix: `${BATCH_PREFIXES.reports}${job}/diff-parts/`,
    diffPart: (batchId: string) => `${BATCH_PREFIXES.reports}${job}/diff-parts/${batchId}.jsonl`,
    diffReport: `${BATCH_PREFIXES.reports}${job}/diff.jsonl`,
    /** Everything of the job that only the run itself needs (the sandbox removes it afterwards). */
    workPrefixes: [
      `${BATCH_PREFIXES.normalised}${job}/`,
      `${BATCH_PREFIXES.changeSets}${job}/`,
      `${BATCH_PREFIXES.results}${job}/`,
      `${BATCH_PREFIXES.rejects}${job}/`,
      `${BATCH_PREFIXES.reports}${job}/diff-parts/`,
    ],
  } as const;
}

/** Batch id of a plan batch: its first sequence number, zero-padded so ids sort in file order. */
export function planBatchId(firstSeq: number): string {
  return `c${String(firstSeq).padStart(10, "0")}`;
}

/** Batch id of the n-th tombstone part of a shard. */
export function tombstonePartId(shard: number, part: number): string {
  return `t${pad(shard)}-${String(part).padStart(6, "0")}`;
}
