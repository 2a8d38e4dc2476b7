/** Timers the sandbox arms (real ones by default; tests pass their own and fire them by hand). */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** setTimeout's longest delay (about 24.8 days); a longer wait re-arms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
