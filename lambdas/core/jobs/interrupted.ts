import { isFinal, type JobItem } from "./job.ts";
import type { JobStore } from "./ports.ts";
import type { VendorLookup } from "./sync-jobs.ts";

/**
 * Who may still be driving a job. The sandbox answers from the data directory's ownership: one
 * process owns it, so a job owned by an earlier session, or a batch run with no owner at all, has no
 * runner left (see local/interrupted-jobs.ts).
 */
export type OwnerLiveness = (job: JobItem) => boolean;

/**
 * @returns the vendors' jobs that have not ended but whose runner is gone (by `isAlive`), oldest
 *   first: each must be ended as interrupted (`endBatchJobEarly`), or it stays RUNNING forever and
 *   holds its vendor.
 * @param options.since - only jobs created at or after this, epoch ms.
 */
export async function findOrphanedJobs(
  deps: { readonly store: JobStore; readonly vendors: VendorLookup; readonly isAlive: OwnerLiveness },
  options: { readonly since: number; readonly limit?: number },
): Promise<JobItem[]> {
  const orphaned: JobItem[] = [];
  for (const vendor of deps.vendors.all()) {
    const jobs = await deps.store.listJobs(vendor.id, { since: options.since, limit: options.limit ?? 500 });
    orphaned.push(...jobs.filter((job) => !isFinal(job) && !deps.isAlive(job)));
  }
  return orphaned.sort((a, b) => a.createdAt - b.createdAt);
}

/** @returns whether a job is a batch run (an import, or a pull handed over to the batch workflow). */
export function isBatchRun(job: Pick<JobItem, "workflow" | "handoff">): boolean {
  return job.workflow === "batch" || job.handoff !== undefined;
}
