import { countOutcome, emptyCounts, type OutcomeCounts } from "../outcomes.ts";
import { type ChangeResult, type RejectEntry, rejectEntryOf } from "./results.ts";

/** A job's progress as it runs: what every entry counts, in one type that the job's finish takes. */
export interface TallyState {
  /** Outcome counts; `received` is always their sum. */
  readonly counts: OutcomeCounts;
  /** Source rows read (files) or records pulled (vendor APIs), beside the change counts. */
  readonly rowsRead: number;
  /** Vendor API pages (pulls) or files (file drops) taken. */
  readonly pagesFetched: number;
  /** Newest `sourceTs` of an accepted change (created, updated or unchanged), epoch ms: the vendor's freshness. */
  readonly newestSourceTs?: number;
}

/**
 * Counts change results: each result once, its outcome into {@link TallyState.counts}, accepted
 * changes into the freshness time, and refused ones into reject entries for the caller to keep.
 */
export class Tally implements TallyState {
  counts: OutcomeCounts;
  rowsRead: number;
  pagesFetched: number;
  newestSourceTs: number | undefined;

  /** @param from - counts to continue from (a job's next step, a handed-over job). */
  constructor(from: Partial<TallyState> = {}) {
    this.counts = { ...emptyCounts(), ...from.counts };
    this.rowsRead = from.rowsRead ?? 0;
    this.pagesFetched = from.pagesFetched ?? 0;
    this.newestSourceTs = from.newestSourceTs;
  }

  /**
   * Counts results.
   * @returns the reject entries of the rejected and failed ones, in order.
   */
  add(results: readonly ChangeResult[]): RejectEntry[] {
    const rejects: RejectEntry[] = [];
    for (const result of results) {
      countOutcome(this.counts, result.outcome);
      const accepted = result.outcome === "created" || result.outcome === "updated" || result.outcome === "unchanged";
      if (accepted && result.sourceTs !== undefined) this.seen(result.sourceTs);
      const reject = rejectEntryOf(result);
      if (reject) rejects.push(reject);
    }
    return rejects;
  }

  /** Moves the freshness time forward to `sourceTs` (epoch ms) when it is newer. */
  seen(sourceTs: number | undefined): void {
    if (sourceTs !== undefined && (this.newestSourceTs === undefined || sourceTs > this.newestSourceTs)) {
      this.newestSourceTs = sourceTs;
    }
  }

  /** @returns a copy of the state (counts copied), JSON-serialisable. */
  snapshot(): TallyState {
    return {
      counts: { ...this.counts },
      rowsRead: this.rowsRead,
      pagesFetched: this.pagesFetched,
      ...(this.newestSourceTs === undefined ? {} : { newestSourceTs: this.newestSourceTs }),
    };
  }
}
