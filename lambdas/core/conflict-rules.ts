/**
 * The conflict rules: what a change does to the stored record. `decide` is the one entry point; the
 * rules live in `rules/` (one step in `step.ts`, the fold over a record's remembered changes in
 * `fold.ts`, the ordering of changes in `stamps.ts`).
 *
 * @see ../../docs/conflict-rules.md
 */
import type { Change } from "./change.ts";
import type { SyncRecord } from "./record.ts";
import type { Decision, DecisionPolicy } from "./rules/decision.ts";
import { foldsHistory, refold } from "./rules/fold.ts";
import { decideStep } from "./rules/step.ts";

export type { ConflictDraft, Decision, DecisionPolicy, FieldDiff, ReviewReason } from "./rules/decision.ts";
export { changeStamp, compareStamps } from "./rules/stamps.ts";
export { decideStep } from "./rules/step.ts";

/**
 * Decides what one change does to the stored record. Records whose rules look back — manual review,
 * and prices under the price-change guard — keep a bounded history of the changes applied and held
 * for review, and are decided by folding the rules over it in source-time order with the change in
 * its place, so a late change is judged as if it had arrived on time; every other record is decided
 * by one step against the record as stored, which gives the same result for them.
 *
 * @param current - the stored record, or `undefined` when there is none.
 * @param change - a validated change.
 * @param now - wall-clock epoch ms for `createdAt`/`updatedAt`.
 */
export function decide(current: SyncRecord | undefined, change: Change, policy: DecisionPolicy, now: number): Decision {
  return foldsHistory(change, policy) ? refold(current, change, policy, now) : decideStep(current, change, policy, now);
}
