/**
 * What each mode of the change interpreter does with a decision: live mode writes and stores
 * conflicts; dry runs and plans keep an overlay of the records and store nothing.
 */
import type { Change } from "../change.ts";
import type { ConflictDraft } from "../conflict-rules.ts";
import { type RecordKey, recordId } from "../model.ts";
import type { ConflictStore, RecordStore } from "../ports.ts";
import type { SyncRecord } from "../record.ts";
import type { Write } from "./planned.ts";

/** What a mode does with a decision. */
export interface Effects {
  /** Whether this is live mode (writes happen). */
  readonly live: boolean;
  /** Whether results carry the fields each change alters (dry runs and plans report them). */
  readonly describe: boolean;
  /**
   * Whether a newer time for equal content is written (live mode and dry runs). Plans settle it as
   * `unchanged` without a write, so a resync of an unchanged file costs no write.
   */
  readonly restamps: boolean;
  /** Whether decisions become planned entries (plans). */
  readonly plans: boolean;
  /** Reads the records a batch needs. */
  read(keys: readonly RecordKey[]): Promise<Map<string, SyncRecord>>;
  /** Writes a record: `false` when another writer got there first (live mode only). */
  write(write: Write, change: Change): Promise<boolean>;
  /** Opens (or finds open) a manual-review conflict. */
  review(conflict: ConflictDraft, change: Change): Promise<void>;
  /** Closes an open conflict that a newer applied change superseded. */
  supersede(conflictId: string, change: Change): Promise<void>;
}

/** Hooks of live mode. */
export interface LiveHooks {
  /** A change opened a new manual-review conflict (not when a redelivery finds it open). */
  readonly onConflictOpened?: (conflict: { conflictId: string; draft: ConflictDraft }) => void | Promise<void>;
  /** A newer applied change closed an open conflict as superseded (once per conflict). */
  readonly onConflictSuperseded?: (conflict: { conflictId: string; by: Change }) => void | Promise<void>;
}

/** Live mode: conditional writes, conflicts stored. */
export function liveEffects(
  records: RecordStore,
  conflicts: ConflictStore,
  hooks: LiveHooks,
  now: () => number,
): Effects {
  return {
    live: true,
    describe: false,
    restamps: true,
    plans: false,
    read: (keys) => records.getMany(keys),
    write: async (write) => (await records.put(write.record, write.expected)) === "written",
    review: async (draft) => {
      const { conflictId, created } = await conflicts.saveConflict(draft, now());
      if (created) await hooks.onConflictOpened?.({ conflictId, draft });
    },
    supersede: async (conflictId, change) => {
      const closed = await conflicts.supersedeConflict(
        conflictId,
        { vendorId: change.vendorId, eventId: change.eventId, sourceTs: change.sourceTs },
        now(),
      );
      if (closed) await hooks.onConflictSuperseded?.({ conflictId, by: change });
    },
  };
}

/** Records a dry-run session keeps in its overlay; the oldest are forgotten beyond it (bounded memory). */
export const DRY_RUN_OVERLAY_RECORDS = 10_000;

/** Dry runs and plans: decisions over an overlay of the records; nothing written, no conflict stored. */
export function overlayEffects(
  records: Pick<RecordStore, "getMany">,
  overlay: Map<string, SyncRecord>,
  plans: boolean,
): Effects {
  return {
    live: false,
    describe: true,
    restamps: !plans,
    plans,
    read: async (keys) => {
      const missing = keys.filter((key) => !overlay.has(recordId(key)));
      const stored = missing.length > 0 ? await records.getMany(missing) : new Map<string, SyncRecord>();
      const out = new Map<string, SyncRecord>();
      for (const key of keys) {
        const id = recordId(key);
        const record = overlay.get(id) ?? stored.get(id);
        if (record) out.set(id, record);
      }
      return out;
    },
    write: async (write, change) => {
      const id = recordId(change);
      overlay.delete(id);
      overlay.set(id, write.record);
      if (overlay.size > DRY_RUN_OVERLAY_RECORDS) overlay.delete(overlay.keys().next().value as string);
      return true;
    },
    review: async () => {},
    supersede: async () => {},
  };
}
