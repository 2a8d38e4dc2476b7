/**
 * The change context: everything besides the input that turning vendor input into a {@link Change}
 * needs, built once per (vendor, workflow, job, source, as-of) by {@link changeContext}, so every entry
 * (webhook processor, pull worker, file import, batch prepare and plan, apply-changes, conflict
 * resolution) validates input the same way.
 */
import { type Change, type ChangeContext, toChange } from "../change.ts";
import { ValidationError } from "../errors.ts";
import type { EntityType, Source, Workflow } from "../model.ts";
import type { VendorConfig } from "../vendor-config.ts";
import { type ChangeResult, errorResult } from "./results.ts";

/** Who is sending changes, and for which job. */
export interface ChangeOrigin {
  readonly workflow: Workflow;
  readonly jobId: string;
  /** The channel the changes came through (used when an input names no `source`). */
  readonly source: Source;
  /** Event time of inputs without their own (a file's as-of time, a delivery's arrival), epoch ms. */
  readonly asOf: number;
  /**
   * Currency of amounts that name none.
   * @default the vendor's `defaultCurrency`
   */
  readonly currency?: string;
  /** Whether input of entity types the vendor is not configured for is refused. @default true */
  readonly restrictEntityTypes?: boolean;
}

/** @returns the change context of a vendor for one origin. */
export function changeContext(vendor: VendorConfig, origin: ChangeOrigin): ChangeContext {
  return {
    vendorId: vendor.id,
    jobId: origin.jobId,
    workflow: origin.workflow,
    defaultSource: origin.source,
    defaultSourceTs: origin.asOf,
    defaultCurrency: origin.currency ?? vendor.defaultCurrency,
    decimalSeparator: vendor.decimalSeparator,
    timeZone: vendor.timeZone,
    ...(origin.restrictEntityTypes === false ? {} : { entityTypes: vendor.entityTypes }),
  };
}

/** One input after intake: the change it became, or the result of its refusal. */
export type IntakeItem = { readonly change: Change } | { readonly refused: ChangeResult };

/**
 * Validates inputs into changes with one context. Input that cannot become a change is `rejected`
 * with its field and line, never thrown: the rest still syncs.
 *
 * @throws only errors that are not validation errors (a bug).
 */
export function intake(inputs: readonly unknown[], context: ChangeContext): IntakeItem[] {
  return inputs.map((input) => {
    try {
      return { change: toChange(input, context) };
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return { refused: refusedInput(input, context.vendorId, error) };
    }
  });
}

/** @returns the `rejected` result of an input that could not become a change. */
export function refusedInput(input: unknown, vendorId: string, error: ValidationError): ChangeResult {
  const raw = (typeof input === "object" && input !== null ? input : {}) as {
    entityType?: unknown;
    entityKey?: unknown;
    eventId?: unknown;
    line?: unknown;
  };
  const line = error.line ?? (typeof raw.line === "number" ? raw.line : undefined);
  return errorResult(
    {
      vendorId,
      // Input without a usable type or key keeps them empty: the rejects file leaves them out.
      entityType: (typeof raw.entityType === "string" ? raw.entityType : "") as EntityType,
      entityKey: typeof raw.entityKey === "string" || typeof raw.entityKey === "number" ? String(raw.entityKey) : "",
      eventId: typeof raw.eventId === "string" ? raw.eventId : "",
      ...(line === undefined ? {} : { line }),
    },
    error,
  );
}
