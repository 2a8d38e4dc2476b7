/**
 * Data freshness per vendor (docs/architecture.md, "Observability and retention"): how old the newest accepted change is, and how long since
 * the last successful sync. Pure: the freshness monitor reads vendor state and the clock, this
 * decides what to publish.
 */

/** What the freshness computation needs of a vendor's stored state (epoch ms). */
export interface FreshnessState {
  /** Wall-clock end of the last SUCCEEDED or PARTIAL job, epoch ms. */
  readonly lastSuccessAt?: number;
  /** Newest `sourceTs` of an accepted change, epoch ms. */
  readonly newestSourceTs?: number;
  readonly paused?: boolean;
}

/** One vendor's freshness at one instant. */
export interface FreshnessReading {
  readonly vendorId: string;
  readonly paused: boolean;
  /**
   * now − newestSourceTs, in whole seconds, never negative (a vendor clock ahead of ours reads 0).
   * Absent when paused (a paused vendor is not stale) or when no change was ever accepted.
   */
  readonly freshnessAgeSeconds?: number;
  /**
   * now − lastSuccessAt, in whole seconds, never negative. Absent when paused or never synced.
   */
  readonly timeSinceLastSyncSeconds?: number;
  /** Neither time is known: the vendor never delivered anything (its staleness alarm fires on the missing data). */
  readonly neverSynced: boolean;
  /** `sourceTs` was ahead of the clock by this many seconds (vendor clock skew), when it was. */
  readonly clockSkewSeconds?: number;
}

const ageSeconds = (now: number, then: number) => Math.max(0, Math.floor((now - then) / 1000));

/**
 * Computes a vendor's freshness at `now`.
 *
 * A vendor whose newest change is stamped in the future (its clock runs ahead of ours) reads 0, never
 * a negative age, and reports the skew so the monitor can log it.
 *
 * @param now - epoch ms.
 */
export function computeFreshness(vendorId: string, state: FreshnessState, now: number): FreshnessReading {
  const paused = state.paused === true;
  const neverSynced = state.newestSourceTs === undefined && state.lastSuccessAt === undefined;
  if (paused) return { vendorId, paused, neverSynced };
  const skew = state.newestSourceTs !== undefined && state.newestSourceTs > now ? state.newestSourceTs - now : 0;
  return {
    vendorId,
    paused,
    neverSynced,
    ...(state.newestSourceTs === undefined ? {} : { freshnessAgeSeconds: ageSeconds(now, state.newestSourceTs) }),
    ...(state.lastSuccessAt === undefined ? {} : { timeSinceLastSyncSeconds: ageSeconds(now, state.lastSuccessAt) }),
    ...(skew > 0 ? { clockSkewSeconds: Math.ceil(skew / 1000) } : {}),
  };
}
