/**
 * Event schemas of the batch workflow's Lambdas (what the state machine passes them), parsed with
 * valibot at the edge so the core gets typed input and a malformed event fails clearly.
 */
import * as v from "valibot";
import { ValidationError } from "../core/errors.ts";

/** The plan Map's child input: `ItemBatcher` puts the batch in `Items` and the `BatchInput` beside it. */
export const PlanBatchEventSchema = v.object({
  BatchInput: v.object({
    jobId: v.string(),
    vendorId: v.string(),
    asOf: v.number(),
    dryRun: v.boolean(),
  }),
  Items: v.pipe(v.array(v.looseObject({ seq: v.pipe(v.number(), v.integer(), v.minValue(0)) })), v.minLength(1)),
});

/** One shard of a full snapshot's tombstone plan (an inline Map iteration). */
export const PlanTombstonesEventSchema = v.object({
  kind: v.literal("tombstones"),
  jobId: v.string(),
  vendorId: v.string(),
  asOf: v.number(),
  dryRun: v.boolean(),
  shard: v.pipe(v.number(), v.integer(), v.minValue(0)),
  entityTypes: v.array(v.picklist(["product", "price", "inventory", "order"])),
});

export const ValidateEventSchema = v.object({
  jobId: v.string(),
  vendorId: v.string(),
  full: v.boolean(),
  dryRun: v.boolean(),
  prepared: v.looseObject({
    jobId: v.string(),
    vendorId: v.string(),
    normalisedKey: v.string(),
    mapRunsPrefix: v.string(),
    changes: v.number(),
    rowsRead: v.number(),
    rejected: v.number(),
    asOf: v.number(),
    entityTypes: v.array(v.picklist(["product", "price", "inventory", "order"])),
    shards: v.array(v.number()),
    error: v.optional(v.string()),
  }),
});

/** The apply Maps' child input: manifest lines (change-set parts). */
export const ApplyBatchEventSchema = v.object({
  BatchInput: v.object({ jobId: v.string(), vendorId: v.string() }),
  Items: v.pipe(v.array(v.object({ key: v.string(), partId: v.string(), entries: v.number() })), v.minLength(1)),
});

export const CommitEventSchema = v.object({ jobId: v.string(), vendorId: v.string() });

export const FailEventSchema = v.object({
  jobId: v.string(),
  vendorId: v.string(),
  trigger: v.optional(v.picklist(["cli", "upload", "admin", "schedule", "webhook"])),
  error: v.object({ Error: v.string(), Cause: v.optional(v.string()) }),
});

/**
 * Parses an event.
 * @throws {ValidationError} naming the first invalid field.
 */
export function parseEvent<const S extends v.GenericSchema>(schema: S, event: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, event);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue) ?? "(root)";
    throw new ValidationError(`invalid event: ${path}: ${issue.message}`, { field: path });
  }
  return parsed.output;
}
