import type { Figure } from "./budget.ts";

/** What every benchmark section gets. */
export interface SectionOptions {
  /** `--quick`: every section on small data, few rounds (the whole run stays under three minutes). */
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
