/**
 * Figures and budgets of one benchmark run. A figure is a measured number with its unit; a budget is
 * a figure with a target (docs/architecture.md, "Performance and cost targets") and a boolean `pass`. Figures without a target are reported
 * for reference (the BatchWriteItem rate, the bare HTTP server).
 */

/** How a figure compares with its target. */
export type Comparator = "<=" | ">=";

/** One measured figure, with its target when it has one. */
export interface Figure {
  /** Stable id, `section.name` (for diffs between runs). */
  readonly id: string;
  readonly section: string;
  /** What was measured, for people. */
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** The budget, when this figure has one. */
  readonly target?: number;
  readonly comparator?: Comparator;
  /** Present exactly when there is a target. */
  readonly pass?: boolean;
  /** How it was measured, or why it is over budget. */
  readonly note?: string;
}

/** A figure that has a budget. */
export type Budget = Figure & { readonly target: number; readonly comparator: Comparator; readonly pass: boolean };

/** @returns whether `value` meets `target` under `comparator` (a NaN never passes). */
export function meets(value: number, comparator: Comparator, target: number): boolean {
  if (Number.isNaN(value)) return false;
  return comparator === "<=" ? value <= target : value >= target;
}

/** Collects a section's figures. */
export class Figures {
  readonly #section: string;
  readonly list: Figure[] = [];

  constructor(section: string) {
    this.#section = section;
  }

  /** Records a figure for reference (no target). @returns the value. */
  info(name: string, label: string, value: number, unit: string, note?: string): number {
    this.list.push({
      id: `${this.#section}.${name}`,
      section: this.#section,
      label,
      value,
      unit,
      ...(note ? { note } : {}),
    });
    return value;
  }

  /** Records a figure with its budget. @returns whether it passes. */
  budget(
    name: string,
    label: string,
    value: number,
    unit: string,
    comparator: Comparator,
    target: number,
    note?: string,
  ): boolean {
    const pass = meets(value, comparator, target);
    this.list.push({
      id: `${this.#section}.${name}`,
      section: this.#section,
      label,
      value,
      unit,
      target,
      comparator,
      pass,
      ...(note ? { note } : {}),
    });
    return pass;
  }
}

/** @returns the figures that have a budget. */
export function budgetsOf(figures: readonly Figure[]): Budget[] {
  return figures.filter((figure): figure is Budget => figure.target !== undefined);
}
