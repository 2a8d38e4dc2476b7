import { type ChangeContext, toChange } from "../change.ts";
import type { ChangeInput } from "../change-input.ts";
import { changeContext } from "../changes/context.ts";
import type { RejectEntry } from "../changes/results.ts";
import { ValidationError } from "../errors.ts";
import { type FileItem, type FileSyntax, fileError, normaliseFile, type RowReject } from "../formats/index.ts";
import type { EntityType } from "../model.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { LazyJsonLines } from "./json-lines.ts";
import { jobKeys } from "./layout.ts";
import { MAX_PREPARED_LINE_BYTES, type PrepareSummary } from "./model.ts";
import type { ObjectStore, ObjectWriter, RecordKeyLister } from "./ports.ts";

/** DynamoDB's item size limit, bytes: a change larger than this can never be stored. */
const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;

export interface PrepareRequest {
  readonly vendor: VendorConfig;
  readonly jobId: string;
  /** The uploaded file, read row by row (`readRows`). */
  readonly items: AsyncIterable<FileItem>;
  readonly syntax: FileSyntax;
  /** Event time for rows without one (the file's as-of time), epoch ms. */
  readonly asOf: number;
  /** Also write the file's record keys per shard, for the full-snapshot tombstone plan. */
  readonly full: boolean;
}

export interface PrepareDeps {
  readonly store: ObjectStore;
  /** How record keys are sharded (needed for full snapshots). */
  readonly keys: Pick<RecordKeyLister, "shards" | "shardOf">;
}

/** The change context every stage uses for a batch job, so prepare and plan build identical changes. */
export function batchChangeContext(vendor: VendorConfig, jobId: string, asOf: number): ChangeContext {
  return changeContext(vendor, { workflow: "batch", jobId, source: "vendor:file", asOf });
}

function largestAttribute(input: ChangeInput): string | undefined {
  let largest: string | undefined;
  let size = -1;
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
    if (bytes > size) {
      size = bytes;
      largest = `attributes.${name}`;
    }
  }
  return largest;
}

/**
 * The prepare stage: streams the uploaded file through the vendor's normaliser (BOM, encodings,
 * quoted line breaks and continuation rows are resolved here, in file order, because the plan Map
 * reads the result out of order), validates every change with the shared `toChange`, and writes
 *
 * - the normalised JSON Lines file: one `{ seq, line, ...ChangeInput }` per valid change;
 * - the rejects (line, field, reason) of rows and changes that cannot become a change;
 * - for a full snapshot, the file's record keys split by write shard.
 *
 * A bad header or an unreadable CSV does not throw: the summary carries the `error` and validation
 * fails the job with it. Memory stays flat whatever the file size.
 *
 * @throws only when the store fails (the stage is then retried: it rewrites the same objects).
 */
export async function prepareFile(request: PrepareRequest, deps: PrepareDeps): Promise<PrepareSummary> {
  const { vendor, jobId, asOf } = request;
  const keys = jobKeys(vendor.id, jobId);
  const steps = normaliseFile(vendor, request.syntax, request.items);
  const output = new PreparedOutput(request, deps, batchChangeContext(vendor, jobId, asOf));
  let rowsRead = 0;
  let error: string | undefined;
  try {
    try {
      for await (const step of steps) {
        if (step.kind === "unreadable") {
          rowsRead++;
          await output.reject({ line: step.line, outcome: "rejected", reason: step.reason });
          continue;
        }
        if (step.rowRead) rowsRead++;
        await output.takeRows(step.rows);
      }
    } catch (caught) {
      if (!(caught instanceof ValidationError)) throw caught;
      error = fileError(caught);
    }
    await output.close();
  } catch (failure) {
    await output.abort();
    throw failure;
  }
  return {
    jobId,
    vendorId: vendor.id,
    normalisedKey: keys.normalised,
    mapRunsPrefix: keys.mapRuns,
    changes: output.seq,
    rowsRead,
    rejected: output.rejected,
    asOf,
    entityTypes: [...output.entityTypes].sort(),
    shards: request.full ? Array.from({ length: deps.keys.shards }, (_, shard) => shard) : [],
    ...(error ? { error } : {}),
  };
}

/** What prepare writes: the normalised JSON Lines, the rejects and, for a full snapshot, the key shards. */
class PreparedOutput {
  readonly #request: PrepareRequest;
  readonly #deps: PrepareDeps;
  readonly #context: ChangeContext;
  readonly #out: ObjectWriter;
  readonly #rejects: LazyJsonLines;
  readonly #shardWriters: ObjectWriter[];
  readonly entityTypes = new Set<EntityType>();
  /** Valid changes written. */
  seq = 0;
  rejected = 0;

  constructor(request: PrepareRequest, deps: PrepareDeps, context: ChangeContext) {
    const keys = jobKeys(request.vendor.id, request.jobId);
    this.#request = request;
    this.#deps = deps;
    this.#context = context;
    this.#out = deps.store.openWriter(keys.normalised);
    this.#rejects = new LazyJsonLines(deps.store, keys.prepareRejects);
    this.#shardWriters = request.full
      ? Array.from({ length: deps.keys.shards }, (_, shard) => deps.store.openWriter(keys.keyShard(shard)))
      : [];
  }

  async reject(entry: RejectEntry): Promise<void> {
    this.rejected++;
    await this.#rejects.add(entry);
  }

  /** A normaliser's output: its row rejects, then its changes. */
  async takeRows(normalised: { readonly changes: readonly ChangeInput[]; readonly rejects: readonly RowReject[] }) {
    for (const r of normalised.rejects) {
      await this.reject({
        line: r.line,
        outcome: "rejected",
        reason: r.reason,
        field: r.field,
        entityKey: r.entityKey,
      });
    }
    for (const input of normalised.changes) await this.#take(input);
  }

  /** Validates one change: written with its sequence number, or rejected (invalid, or too large). */
  async #take(input: ChangeInput): Promise<void> {
    const raw = input as { line?: number; entityType?: unknown; entityKey?: unknown };
    let change: ReturnType<typeof toChange>;
    try {
      change = toChange(input, this.#context);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await this.reject({
        line: error.line ?? raw.line,
        outcome: "rejected",
        reason: error.message,
        field: error.field,
        ...(typeof raw.entityType === "string" ? { entityType: raw.entityType } : {}),
        ...(typeof raw.entityKey === "string" ? { entityKey: raw.entityKey } : {}),
      });
      return;
    }
    const text = JSON.stringify({ seq: this.seq, ...input });
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > MAX_PREPARED_LINE_BYTES) {
      await this.reject(oversized(input, change, bytes));
      return;
    }
    this.seq++;
    this.entityTypes.add(change.entityType);
    await this.#out.write(`${text}\n`);
    if (this.#request.full) {
      await (this.#shardWriters[this.#deps.keys.shardOf(change.entityKey)] as ObjectWriter).write(
        `${change.entityType}\t${change.entityKey}\n`,
      );
    }
  }

  async close(): Promise<void> {
    await this.#out.close();
    for (const writer of this.#shardWriters) await writer.close();
    await this.#rejects.close();
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.#out.abort(), this.#rejects.abort(), ...this.#shardWriters.map((w) => w.abort())]);
  }
}

/** The reject of a change too large for one batch of the plan Map (or for a DynamoDB item). */
function oversized(input: ChangeInput, change: ReturnType<typeof toChange>, bytes: number): RejectEntry {
  const field = largestAttribute(input);
  return {
    line: change.line,
    outcome: "rejected",
    reason:
      bytes > DYNAMODB_ITEM_LIMIT_BYTES
        ? `record would be about ${bytes} bytes, over the DynamoDB item limit of ${DYNAMODB_ITEM_LIMIT_BYTES} bytes${field ? ` (largest field: ${field})` : ""}`
        : `change is ${bytes} bytes, over the ${MAX_PREPARED_LINE_BYTES} bytes one batch of the plan Map may hold${field ? ` (largest field: ${field})` : ""}`,
    ...(field ? { field } : {}),
    entityType: change.entityType,
    entityKey: change.entityKey,
    eventId: change.eventId,
  };
}
