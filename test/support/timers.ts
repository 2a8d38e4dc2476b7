import type { Timers } from "../../local/timers.ts";

/** A timer armed through {@link manualTimers}. */
export interface ArmedTimer {
  readonly callback: () => void;
  readonly ms: number;
  cleared: boolean;
  fired: boolean;
}

/** Timers the test fires by hand; `pending()` are those neither fired nor cleared. */
export function manualTimers() {
  const armed: ArmedTimer[] = [];
  const timers: Timers = {
    set: (callback, ms) => {
      const timer: ArmedTimer = { callback, ms, cleared: false, fired: false };
      armed.push(timer);
      return timer;
    },
    clear: (handle) => {
      (handle as ArmedTimer).cleared = true;
    },
  };
  const pending = () => armed.filter((timer) => !timer.cleared && !timer.fired);
  const fire = (timer: ArmedTimer) => {
    timer.fired = true;
    timer.callback();
  };
  return { armed, timers, pending, fire };
}
