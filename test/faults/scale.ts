/**
 * How hard the fault-injection suite pushes. `npm test` runs it small and bounded; `npm run
 * test:faults` (vitest `--mode faults`) runs the same cases at a larger scale.
 */
export const LARGE_SCALE = (import.meta as { env?: { MODE?: string } }).env?.MODE === "faults";

/** A whole number in [min, max], from `random`. */
export const between = (min: number, max: number, random: () => number = Math.random) =>
  min + Math.floor(random() * (max - min + 1));
