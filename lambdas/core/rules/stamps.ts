/**
 * The ordering of changes: stamps (time, vendor version, source rank, event id) compared the same way
 * by every rule, so every delivery order of the same events sorts them alike.
 *
 * @see ../../../docs/conflict-rules.md
 */
import type { Change } from "../change.ts";
import type { Source } from "../model.ts";
import type { Stamp } from "../record.ts";

/** @returns the ordering stamp of a change. */
export function changeStamp(change: Change): Stamp {
  return {
    sourceTs: change.sourceTs,
    ...(change.sourceVersion === undefined ? {} : { sourceVersion: change.sourceVersion }),
    source: change.source,
    eventId: change.eventId,
  };
}

/**
 * Orders two stamps for last-write-wins: `sourceTs`, then `sourceVersion` (absent sorts first), then
 * source rank, then `eventId`, so every delivery order of the same events converges.
 *
 * @returns negative when `a` is older, positive when newer, 0 only for the same event.
 */
export function compareStamps(a: Stamp, b: Stamp, rank: (source: Source) => number): number {
  if (a.sourceTs !== b.sourceTs) return a.sourceTs < b.sourceTs ? -1 : 1;
  const av = a.sourceVersion ?? -1;
  const bv = b.sourceVersion ?? -1;
  if (av !== bv) return av < bv ? -1 : 1;
  const ar = rank(a.source);
  const br = rank(b.source);
  if (ar !== br) return ar < br ? -1 : 1;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

export function isNewer(a: Stamp, b: Stamp | undefined, rank: (source: Source) => number): boolean {
  return b === undefined || compareStamps(a, b, rank) > 0;
}
