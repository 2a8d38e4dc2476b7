import type { Figure } from "./budget.ts";

/** What every benchmark section gets. */
export interface SectionOptions {
  /** `--quick`: smaller data sets, fewer rounds (the run stays under two minutes). */
  readonly quick: boolean;
  /** A scratch folder for generated files and bundles, removed after the run. */
  readonly tmpDir: string;
  /** Progress for people, on stderr. */
  readonly log: (message: string) => void;
}

/** What a section measured: its figures (some with budgets) and the raw details behind them. */
export interface SectionResult {
  readonly figures: Figure[];
  readonly details: Record<string, unknown>;
}
