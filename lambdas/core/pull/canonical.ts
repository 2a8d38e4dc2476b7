import type * as v from "valibot";
import { ChangeInputSchema } from "../change-input.ts";
import { mapEach, PULL_SOURCE, type PullMapper, type PullMapResult, parseRecord } from "./mapping.ts";

/**
 * Records that already are canonical change inputs (an internal or partner API speaking our format).
 * Each is checked against {@link ChangeInputSchema} so a bad one is rejected on its own; `source`
 * defaults to `vendor:pull`.
 *
 * @see ../../../docs/canonical-format.md
 */
export const mapCanonical: PullMapper = (records): PullMapResult =>
  mapEach(records, (record) => {
    const input = parseRecord(ChangeInputSchema, record, "change");
    return [{ ...(record as v.InferInput<typeof ChangeInputSchema>), source: input.source ?? PULL_SOURCE }];
  });
