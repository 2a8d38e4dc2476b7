/**
 * What one step of a scheduled or on-demand sync job is, whichever connector runs it: the step is
 * given the claimed job and a deadline, and ends with the job finished or with a hand-over to a
 * follow-up message (see `step-engine.ts`).
 */
import type { TallyState } from "../changes/tally.ts";
import type { VendorConfig } from "../vendor-config.ts";
import type { JobItem } from "./job.ts";
import type { SyncMessage } from "./messages.ts";

/** The step a connector runs: its message, the job as claimed, and the time it has. */
export interface StepRun {
  readonly message: SyncMessage;
  readonly job: JobItem;
  readonly vendor: VendorConfig;
  /** Epoch ms by which the step must hand over (the invocation's deadline less a margin). */
  readonly deadline: number;
  /** @returns the lease to report with progress, epoch ms. */
  readonly leaseFor: () => number;
}

/** What a step's run ends with: the job finished (or was given up on), or it continues in a follow-up message. */
export type StepEnd =
  | { readonly kind: "done" }
  | {
      readonly kind: "continue";
      /** The job's next `resumeState` (JSON-serialisable). */
      readonly resume: object;
      /** Counts the next step starts from. */
      readonly tally: TallyState;
      /** How long the follow-up waits (a rate limit's Retry-After, a backoff), ms. */
      readonly delayMs: number;
      /** Why, for the log. */
      readonly note?: string;
    };

/** What the step engine tells its `onEvent` listener (the sandbox's event log, the demo). */
export type PullEvent =
  | {
      readonly kind: "page";
      readonly jobId: string;
      readonly vendorId: string;
      readonly step: number;
      /** Page number within the run. */
      readonly page: number;
      readonly records: number;
      /** The job's totals after this page. */
      readonly rowsRead: number;
      readonly counts: JobItem["counts"];
      /** Whether the page was staged for the batch workflow instead of written. */
      readonly staged: boolean;
    }
  | {
      readonly kind: "hand-over";
      readonly jobId: string;
      readonly vendorId: string;
      /** The follow-up's step. */
      readonly step: number;
      readonly delaySeconds: number;
      readonly reason: string;
    };

/** @returns where a job's rejects are kept (one JSON Lines object per page or file with rejects). */
export function rejectsPrefix(job: Pick<JobItem, "vendorId" | "jobId">): string {
  return `rejects/${job.vendorId}/jobs/${job.jobId}/`;
}
