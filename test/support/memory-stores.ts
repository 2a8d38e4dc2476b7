import { conflictIdOf } from "../../lambdas/core/changes/results.ts";
import type { ConflictDraft } from "../../lambdas/core/conflict-rules.ts";
import { type RecordKey, recordId } from "../../lambdas/core/model.ts";
import type { ConflictStore, RecordStore } from "../../lambdas/core/ports.ts";
import type { Precondition, SyncRecord } from "../../lambdas/core/record.ts";

/** An in-memory RecordStore with DynamoDB's conditional-write semantics, for unit tests of the write path. */
export class MemoryRecordStore implements RecordStore {
  readonly items = new Map<string, SyncRecord>();
  puts = 0;
  /** Runs before each put: lets a test write "from another process" to provoke a lost race. */
  beforePut: ((record: SyncRecord) => void | Promise<void>) | undefined;

  async getMany(keys: readonly RecordKey[]): Promise<Map<string, SyncRecord>> {
    const out = new Map<string, SyncRecord>();
    for (const key of keys) {
      const item = this.items.get(recordId(key));
      if (item) out.set(recordId(key), item);
    }
    return out;
  }

  async get(key: RecordKey): Promise<SyncRecord | undefined> {
    return this.items.get(recordId(key));
  }

  /** Runs after each successful write with the record before and after it (the table stream's stand-in). */
  onWritten: ((before: SyncRecord | undefined, after: SyncRecord) => void) | undefined;

  async put(record: SyncRecord, expected: Precondition | undefined): Promise<"written" | "condition-failed"> {
    await this.beforePut?.(record);
    this.puts++;
    const stored = this.items.get(recordId(record));
    const holds =
      expected === undefined
        ? stored === undefined
        : stored !== undefined &&
          (expected.revision === undefined
            ? stored.revision === undefined && stored.version === expected.version
            : stored.revision === expected.revision);
    if (!holds) return "condition-failed";
    this.items.set(recordId(record), record);
    this.onWritten?.(stored, record);
    return "written";
  }
}

/** An in-memory ConflictStore: one conflict per (record, event), open or superseded. */
export class MemoryConflictStore implements ConflictStore {
  readonly conflicts = new Map<string, ConflictDraft>();
  readonly status = new Map<string, "OPEN" | "SUPERSEDED">();

  async saveConflict(draft: ConflictDraft): Promise<{ conflictId: string; created: boolean }> {
    const id = conflictIdOf(draft.incoming);
    const created = !this.conflicts.has(id) || this.status.get(id) === "SUPERSEDED";
    if (created) {
      this.conflicts.set(id, draft);
      this.status.set(id, "OPEN");
    }
    return { conflictId: id, created };
  }

  async supersedeConflict(conflictId: string): Promise<boolean> {
    if (this.status.get(conflictId) !== "OPEN") return false;
    this.status.set(conflictId, "SUPERSEDED");
    return true;
  }

  /** @returns the event ids a record's open conflicts hold, sorted. */
  async openOf(key: RecordKey): Promise<string[]> {
    return [...this.conflicts]
      .filter(([id, draft]) => this.status.get(id) === "OPEN" && recordId(draft.incoming) === recordId(key))
      .map(([, draft]) => draft.incoming.eventId)
      .sort();
  }

  /** @returns the ids of the open conflicts. */
  open(): string[] {
    return [...this.status].filter(([, status]) => status === "OPEN").map(([id]) => id);
  }
}
