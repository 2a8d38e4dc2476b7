import type { ConflictDraft } from "../../core/conflict-rules.ts";
import type { ConflictItem, ConflictStore } from "../../core/ports.ts";
import { DynamoConflictStore } from "./conflict-store.ts";
import { DynamoStepStore } from "./step-store.ts";
import type { SyncTableOptions } from "./sync-table.ts";

/** Where the sync table is, and how long its finished items are kept. */
export type DynamoSyncStoreOptions = SyncTableOptions;

/**
 * Every port over the sync table in one object, for the sandbox's wiring (`local/sandbox.ts`), which hands
 * one store to all its workflows (Lambda entries take the port store they need): jobs and their steps
 * ({@link DynamoStepStore}, with vendor state) and manual-review conflicts ({@link DynamoConflictStore}).
 * Single-table design; keys in `table-design.ts`.
 */
export class DynamoSyncStore extends DynamoStepStore implements ConflictStore {
  /** The conflicts port alone. */
  readonly conflicts: DynamoConflictStore;

  constructor(options: DynamoSyncStoreOptions) {
    super(options);
    this.conflicts = new DynamoConflictStore(options);
  }

  saveConflict(draft: ConflictDraft, now: number): Promise<{ conflictId: string; created: boolean }> {
    return this.conflicts.saveConflict(draft, now);
  }

  supersedeConflict(
    conflictId: string,
    by: { vendorId: string; eventId: string; sourceTs: number },
    now: number,
  ): Promise<boolean> {
    return this.conflicts.supersedeConflict(conflictId, by, now);
  }

  getConflict(conflictId: string): Promise<ConflictItem | undefined> {
    return this.conflicts.getConflict(conflictId);
  }

  /** Conflicts of a vendor by status, oldest first. */
  listConflicts(
    vendorId: string,
    options: { status?: ConflictItem["status"]; limit?: number } = {},
  ): Promise<ConflictItem[]> {
    return this.conflicts.listConflicts(vendorId, options);
  }
}
