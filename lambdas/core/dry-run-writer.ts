import { applyIncomingRules } from "./business-rules.ts";
import type { Change } from "./change.ts";
import { decide } from "./conflict-rules.ts";
import { BusinessRuleError, ValidationError } from "./errors.ts";
import { decideDelta } from "./inventory-delta.ts";
import { type EntityType, recordId } from "./model.ts";
import type { RecordStore } from "./ports.ts";
import type { SyncRecord } from "./record.ts";
import type { ChangeResult, WritePolicy } from "./write-path.ts";

/**
 * The write path's decisions without its writes, for dry runs: reads the current records (one
 * BatchGetItem per call), decides every change with the same rules, and reports the outcome each
 * would have had. Nothing is written and no conflict is stored. Same signature as
 * `ChangeWriter.writeBatch`, so a job runs unchanged with either.
 */
export class DryRunWriter {
  readonly #records: Pick<RecordStore, "getMany">;
  readonly #policyFor: (vendorId: string, entityType: EntityType) => WritePolicy;
  readonly #now: () => number;

  constructor(deps: {
    readonly records: Pick<RecordStore, "getMany">;
    readonly policyFor: (vendorId: string, entityType: EntityType) => WritePolicy;
    /** @default Date.now */
    readonly now?: () => number;
  }) {
    this.#records = deps.records;
    this.#policyFor = deps.policyFor;
    this.#now = deps.now ?? Date.now;
  }

  /** Decides up to 100 changes; changes to one record see each other's (unwritten) effect, in order. */
  async writeBatch(changes: readonly Change[]): Promise<ChangeResult[]> {
    const known = changes.length > 0 ? await this.#records.getMany(changes) : new Map<string, SyncRecord>();
    return changes.map((input) => {
      const base = {
        vendorId: input.vendorId,
        entityType: input.entityType,
        entityKey: input.entityKey,
        eventId: input.eventId,
        ...(input.line === undefined ? {} : { line: input.line }),
      };
      const id = recordId(input);
      try {
        const policy = this.#policyFor(input.vendorId, input.entityType);
        const change = applyIncomingRules(input, policy);
        const current = known.get(id);
        const decision =
          change.delta === undefined
            ? decide(current, change, policy, this.#now())
            : decideDelta(current, change, policy, this.#now());
        if (decision.action === "write") {
          known.set(id, decision.record);
          return { ...base, outcome: decision.outcome, version: decision.record.version };
        }
        if (decision.action === "skip") return { ...base, outcome: decision.outcome, reason: decision.reason };
        if (decision.action === "reject") {
          return {
            ...base,
            outcome: "rejected",
            reason: decision.reason,
            errorKind: decision.rule ? "business" : "validation",
          };
        }
        return { ...base, outcome: "conflicted", reason: decision.conflict.message };
      } catch (error) {
        if (error instanceof ValidationError || error instanceof BusinessRuleError) {
          return { ...base, outcome: "rejected", reason: error.message, errorKind: error.kind };
        }
        throw error;
      }
    });
  }
}
