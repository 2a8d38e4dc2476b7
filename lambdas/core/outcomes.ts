import { OUTCOMES, type Outcome } from "./model.ts";

/** Counts of change outcomes. `received` is always their sum (docs/architecture.md, "Records, changes and outcomes"). */
export type OutcomeCounts = { received: number } & Record<Outcome, number>;

/** @returns all-zero counts. */
export function emptyCounts(): OutcomeCounts {
  return {
    received: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    duplicate: 0,
    stale: 0,
    conflicted: 0,
    rejected: 0,
    failed: 0,
  };
}

/** Adds one outcome (mutates and returns `counts`). */
export function countOutcome(counts: OutcomeCounts, outcome: Outcome, n = 1): OutcomeCounts {
  counts[outcome] += n;
  counts.received += n;
  return counts;
}

/** @returns the sum of two count sets. */
export function addCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const sum = emptyCounts();
  sum.received = a.received + b.received;
  for (const outcome of OUTCOMES) sum[outcome] = a[outcome] + b[outcome];
  return sum;
}

/** @returns whether `received` equals the sum of the outcomes. */
export function countsReconcile(counts: OutcomeCounts): boolean {
  return OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0) === counts.received;
}

/** Job states. QUEUED → RUNNING → SUCCEEDED | PARTIAL | FAILED | CANCELLED. */
export const JOB_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "PARTIAL", "FAILED", "CANCELLED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(["SUCCEEDED", "PARTIAL", "FAILED", "CANCELLED"]);

/**
 * The final status a job's counts call for: SUCCEEDED when nothing was rejected or failed, FAILED when
 * every change was (or the failed share is over `toleratedFailurePercent`), PARTIAL otherwise. An empty
 * job succeeds. Conflicted changes are held for review, not failures.
 *
 * @param toleratedRejectedPercent - rejected share (percent) above which the job fails. @default 100
 */
export function statusFromCounts(
  counts: OutcomeCounts,
  toleratedRejectedPercent = 100,
): "SUCCEEDED" | "PARTIAL" | "FAILED" {
  const bad = counts.rejected + counts.failed;
  if (bad === 0) return "SUCCEEDED";
  if (bad === counts.received) return "FAILED";
  if ((counts.rejected * 100) / counts.received > toleratedRejectedPercent) return "FAILED";
  return "PARTIAL";
}

/** CLI exit code for a final job status: 0 succeeded, 2 partial, 1 failed or cancelled. */
export function exitCodeFor(status: JobStatus): 0 | 1 | 2 {
  return status === "SUCCEEDED" ? 0 : status === "PARTIAL" ? 2 : 1;
}
