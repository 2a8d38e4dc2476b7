import type { ChangeInterpreter } from "../changes/interpreter.ts";
import type { PlannedEntry } from "../changes/planned.ts";
import { type ChangeResult, withoutRecord } from "../changes/results.ts";
import { Tally } from "../changes/tally.ts";
import { LazyJsonLines, parseJsonLine, readJson } from "./json-lines.ts";
import { jobKeys } from "./layout.ts";
import type { ApplyPartResult, ManifestItem } from "./model.ts";
import type { ObjectStore } from "./ports.ts";

export interface ApplyDeps {
  readonly store: ObjectStore;
  /** The change interpreter: planned entries are replayed through its live mode. */
  readonly interpreter: Pick<ChangeInterpreter, "replay">;
  /** Receives every applied change's result (the sandbox's demo shows them). */
  readonly observe?: (results: readonly ChangeResult[]) => void;
}

export interface ApplyRequest {
  readonly vendorId: string;
  readonly jobId: string;
  /** The apply Map's `Items`: change-set parts. */
  readonly parts: readonly ManifestItem[];
}

/** A stored result, and whether this call did the work or found it done (a redriven batch). */
export interface AppliedPart extends ApplyPartResult {
  readonly reused: boolean;
}

async function applyPart(part: ManifestItem, request: ApplyRequest, deps: ApplyDeps): Promise<AppliedPart> {
  const keys = jobKeys(request.vendorId, request.jobId);
  const resultKey = keys.applyResult(part.partId);
  const done = await readJson<ApplyPartResult>(deps.store, resultKey);
  if (done) return { ...done, reused: true };

  const entries: PlannedEntry[] = [];
  for await (const line of deps.store.readLines(part.key)) {
    const entry = parseJsonLine<PlannedEntry>(line);
    if (entry) entries.push(entry);
  }
  const results = await deps.interpreter.replay(entries, request.jobId);
  const tally = new Tally();
  const rejects = new LazyJsonLines(deps.store, keys.applyRejects(part.partId));
  for (const entry of tally.add(results)) await rejects.add(entry);
  const stored: ApplyPartResult = {
    partId: part.partId,
    counts: tally.counts,
    ...(tally.newestSourceTs === undefined ? {} : { newestSourceTs: tally.newestSourceTs }),
    rejectsKey: await rejects.close(),
  };
  // Written last: a part with a stored result is never applied or counted again.
  await deps.store.writeText(resultKey, JSON.stringify(stored));
  deps.observe?.(results.map(withoutRecord));
  return { ...stored, reused: false };
}

/**
 * The apply Map's child: applies change-set parts (tombstones are parts of their own, applied after
 * every other part) and stores each part's result under its id. A part whose result is already
 * stored is skipped, so a retried or redriven batch never counts twice; a part interrupted half-way
 * is applied again safely (see {@link applyRecord}).
 *
 * @throws when the store fails for a whole part (the Map retries the child).
 */
export async function applyParts(request: ApplyRequest, deps: ApplyDeps): Promise<AppliedPart[]> {
  const out: AppliedPart[] = [];
  for (const part of request.parts) out.push(await applyPart(part, request, deps));
  return out;
}
