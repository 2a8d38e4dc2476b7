/**
 * The sandbox's Distributed Map: what Step Functions does for a Map state in `DISTRIBUTED` mode,
 * over the sandbox's object store, for the Task that `definition.ts` puts in its place.
 *
 * - `ItemReader` (`s3:getObject`, `ReaderConfig.InputType: JSONL`): streams the object's lines.
 * - `ItemBatcher`: `MaxItemsPerBatch` and `MaxInputBytesPerBatch` group items in reader order;
 *   each child gets `{ BatchInput, Items }` (without a batcher, the item itself).
 * - `MaxConcurrency`: at most that many child executions run at once (0: no limit), reading ahead by
 *   at most one batch per slot.
 * - `ToleratedFailurePercentage` / `ToleratedFailureCount`: a failed child counts all its items as
 *   failed; over the tolerance the Map Run fails with `States.ExceedToleratedFailureThreshold`.
 * - `ResultWriter` (`s3:putObject`): `<Prefix>/<map run id>/manifest.json` beside
 *   `SUCCEEDED_0.json` and `FAILED_0.json`, and the state's result is `{ MapRunArn,
 *   ResultWriterDetails: { Bucket, Key } }`; without one, the children's outputs in order.
 *
 * Each child is one execution of the Map's `ItemProcessor` (`runChild`, the same engine as the
 * parent). Differences from AWS are listed in docs/sandbox-vs-aws.md.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
import { randomUUID } from "node:crypto";
import pLimit from "p-limit";
import { batchLines } from "../../lambdas/core/batch/batching.ts";
import type { ObjectStore } from "../../lambdas/core/batch/ports.ts";
import { type AslState, LOCAL_ACCOUNT, LOCAL_REGION } from "./definition.ts";

/** What the Task's Parameters resolve to (see `replaceDistributedMaps`). */
export interface MapRunParameters {
  readonly ItemReader: { readonly Bucket: string; readonly Key: string };
  readonly BatchInput?: unknown;
  readonly MaxItemsPerBatch?: number;
  readonly MaxInputBytesPerBatch?: number;
  readonly MaxConcurrency?: number;
  readonly ToleratedFailurePercentage?: number;
  readonly ToleratedFailureCount?: number;
  readonly ResultWriter?: { readonly Bucket: string; readonly Prefix?: string };
}

/** A Step Functions error by its ASL name (`States.…`), so Retry and Catch match it. */
export class MapRunError extends Error {
  constructor(name: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = name;
  }
}

/** A Map Run's failures went over its tolerance (Step Functions' error name). */
export class ExceedToleratedFailureThresholdError extends MapRunError {
  readonly failedItems: number;
  readonly totalItems: number;

  constructor(map: string, failedItems: number, totalItems: number, tolerance: string, cause?: unknown) {
    super(
      "States.ExceedToleratedFailureThreshold",
      `${map}: ${failedItems} of ${totalItems} items failed, over the tolerated ${tolerance}` +
        (cause instanceof Error ? ` (last error: ${cause.message})` : ""),
      cause,
    );
    this.failedItems = failedItems;
    this.totalItems = totalItems;
  }
}

export interface DistributedMapDeps {
  /** The object store a bucket name stands for. @throws for a bucket the sandbox does not have. */
  readonly bucket: (name: string) => ObjectStore;
  /** Runs the Map's `ItemProcessor` once on a child input; rejects when the child execution fails. */
  readonly runChild: (input: unknown) => Promise<unknown>;
  /** Told of each failed child (after its own retries). */
  readonly onChildError?: (error: unknown) => void;
}

/** The largest child concurrency the sandbox uses for `MaxConcurrency: 0` (no limit on AWS: 10,000). */
const UNLIMITED_CONCURRENCY = 1000;

interface ChildResult {
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
  readonly startedAt: Date;
  readonly stoppedAt: Date;
}

/** The error a failed child execution ended with (the engine wraps the state's error in `cause`). */
const stateError = (error: unknown) => (error instanceof Error && error.cause instanceof Error ? error.cause : error);

/** A failed child's error as Step Functions reports it. */
const asStatesError = (error: unknown) =>
  error instanceof Error ? { Error: error.name, Cause: error.message } : { Error: "Error", Cause: String(error) };

/**
 * Runs one Map Run of the Distributed Map `stateName` (its definition `map`) with the resolved
 * `parameters`.
 *
 * @returns the Map state's result (see the module comment).
 * @throws {MapRunError} `States.ItemReaderFailed` when the items cannot be read,
 * `States.ExceedToleratedFailureThreshold` over the tolerance, `States.ResultWriterFailed` when the
 * results cannot be written.
 */
export async function runDistributedMap(
  stateName: string,
  map: AslState,
  parameters: MapRunParameters,
  deps: DistributedMapDeps,
): Promise<unknown> {
  const inputType = map.ItemReader?.ReaderConfig?.InputType;
  if (inputType !== "JSONL")
    throw new MapRunError("States.Runtime", `${stateName}: the sandbox reads JSONL items only`);
  const batched = map.ItemBatcher !== undefined;
  const concurrency = parameters.MaxConcurrency || UNLIMITED_CONCURRENCY;
  const limit = pLimit(concurrency);
  const running = new Set<Promise<void>>();
  const results: ChildResult[] = [];
  let total = 0;
  let failed = 0;
  let lastError: unknown;

  const runOne = async (index: number, input: unknown, items: number) => {
    const startedAt = new Date();
    try {
      const output = await deps.runChild(input);
      results[index] = { input, output, startedAt, stoppedAt: new Date() };
    } catch (error) {
      failed += items;
      lastError = stateError(error);
      deps.onChildError?.(lastError);
      results[index] = { input, error: asStatesError(lastError), startedAt, stoppedAt: new Date() };
    }
  };
  try {
    const lines = deps.bucket(parameters.ItemReader.Bucket).readLines(parameters.ItemReader.Key);
    const limits = {
      maxItems: batched ? (parameters.MaxItemsPerBatch ?? Number.POSITIVE_INFINITY) : 1,
      maxInputBytes: parameters.MaxInputBytesPerBatch ?? Number.POSITIVE_INFINITY,
    };
    let index = 0;
    for await (const items of batchLines<unknown>(lines, limits)) {
      total += items.length;
      const input = batched
        ? { ...(parameters.BatchInput === undefined ? {} : { BatchInput: parameters.BatchInput }), Items: items }
        : items[0];
      const child = index++;
      const run = limit(() => runOne(child, input, items.length));
      running.add(run);
      void run.finally(() => running.delete(run));
      // Back-pressure: read ahead by at most one batch per slot.
      if (running.size >= concurrency * 2) await Promise.race(running);
    }
  } catch (error) {
    await Promise.all(running);
    throw new MapRunError("States.ItemReaderFailed", `${stateName}: ${(error as Error).message}`, error);
  }
  await Promise.all(running);

  const mapRunId = randomUUID();
  const mapRunArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:mapRun:vendor-sync-batch/${map.Label ?? stateName}:${mapRunId}`;
  const written = parameters.ResultWriter
    ? await writeResults(stateName, mapRunArn, mapRunId, results, parameters.ResultWriter, map, deps)
    : undefined;

  const breached = toleranceBreached(failed, total, parameters);
  if (breached) throw new ExceedToleratedFailureThresholdError(stateName, failed, total, breached, lastError);
  return written ?? results.map((result) => result.output ?? null);
}

/**
 * Whether a Map Run's failed items breach its tolerance: either threshold set alone is the limit,
 * with both the run fails past either, with neither any failure fails it (both default to 0).
 *
 * @returns the breached tolerance for the error message, or `undefined`.
 */
function toleranceBreached(failed: number, total: number, parameters: MapRunParameters): string | undefined {
  const { ToleratedFailurePercentage: percent, ToleratedFailureCount: count } = parameters;
  if (failed === 0) return undefined;
  if (count !== undefined && failed > count) return `${count} failed items`;
  if ((percent !== undefined || count === undefined) && (failed * 100) / total > (percent ?? 0)) {
    return `${percent ?? 0} %`;
  }
  return undefined;
}

/**
 * Writes the Map Run's results as Step Functions' ResultWriter does: children grouped by status in
 * `SUCCEEDED_0.json` and `FAILED_0.json` (JSON Lines or one JSON array, per `WriterConfig.OutputType`;
 * `COMPACT` keeps only a succeeded child's output, a failed child keeps its execution details), and a
 * `manifest.json` listing them.
 */
async function writeResults(
  stateName: string,
  mapRunArn: string,
  mapRunId: string,
  results: readonly ChildResult[],
  destination: NonNullable<MapRunParameters["ResultWriter"]>,
  map: AslState,
  deps: DistributedMapDeps,
): Promise<{ MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } }> {
  const compact = (map.ResultWriter?.WriterConfig?.Transformation ?? "NONE") !== "NONE";
  const lines = map.ResultWriter?.WriterConfig?.OutputType === "JSONL";
  const prefix = destination.Prefix ? `${destination.Prefix.replace(/\/+$/, "")}/${mapRunId}` : mapRunId;
  const execution = (result: ChildResult, index: number) => ({
    ExecutionArn: `${mapRunArn.replace(":mapRun:", ":execution:")}:${index}`,
    Input: JSON.stringify(result.input),
    InputDetails: { Included: true },
    Name: String(index),
    ...(result.error
      ? { Status: "FAILED", Error: result.error.Error, Cause: result.error.Cause }
      : { Status: "SUCCEEDED", Output: JSON.stringify(result.output), OutputDetails: { Included: true } }),
    StartDate: result.startedAt.toISOString(),
    StopDate: result.stoppedAt.toISOString(),
  });
  const groups = { FAILED: [] as unknown[], PENDING: [] as unknown[], SUCCEEDED: [] as unknown[] };
  results.forEach((result, index) => {
    if (result.error) groups.FAILED.push(execution(result, index));
    else groups.SUCCEEDED.push(compact ? result.output : execution(result, index));
  });
  try {
    const store = deps.bucket(destination.Bucket);
    const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const [status, entries] of Object.entries(groups)) {
      if (entries.length === 0) continue;
      const key = `${prefix}/${status}_0.json`;
      const text = lines ? entries.map((entry) => `${JSON.stringify(entry)}\n`).join("") : JSON.stringify(entries);
      await store.writeText(key, text);
      files[status]?.push({ Key: key, Size: Buffer.byteLength(text) });
    }
    const manifestKey = `${prefix}/manifest.json`;
    await store.writeText(
      manifestKey,
      JSON.stringify({ DestinationBucket: destination.Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
    );
    return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: destination.Bucket, Key: manifestKey } };
  } catch (error) {
    throw new MapRunError("States.ResultWriterFailed", `${stateName}: ${(error as Error).message}`, error);
  }
}
