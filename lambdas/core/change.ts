import * as v from "valibot";
import {
  ATTRIBUTE_SCHEMAS,
  type ChangeInput,
  ChangeInputSchema,
  type PlatformResource,
  reservedKeyIn,
} from "./change-input.ts";
import { contentHash } from "./content-hash.ts";
import { ValidationError } from "./errors.ts";
import { normalizeKey } from "./keys.ts";
import type { Attributes, AttributeValue, EntityType, Op, RecordKey, Source, Workflow } from "./model.ts";
import { type DecimalSeparator, parseMoney, parseMoneyNumber } from "./money.ts";
import { parseTimestamp } from "./timestamps.ts";

/**
 * A change: one vendor fact about one record, in the shape every workflow produces (docs/architecture.md, "Records, changes and outcomes").
 * Built by {@link toChange} from a {@link ChangeInput}; never constructed by hand elsewhere.
 */
export interface Change extends RecordKey {
  readonly op: Op;
  /** Stable id of the vendor event; re-applying it is a no-op. */
  readonly eventId: string;
  /** Vendor event time, UTC epoch ms (for files without a time column: the file's as-of time). */
  readonly sourceTs: number;
  /** Vendor-side version or sequence number, when the vendor has one. Breaks `sourceTs` ties. */
  readonly sourceVersion?: number;
  /** The record version this change was made against; a mismatch is a version conflict. */
  readonly expectedVersion?: number;
  readonly source: Source;
  readonly workflow: Workflow;
  readonly jobId: string;
  /** Canonical attributes: money in minor units, absent = leave, `null` = clear. Empty for deletes. */
  readonly attributes: Attributes;
  /** {@link contentHash} of `{ op, attributes }`. */
  readonly contentHash: string;
  /** 1-based source line (files) for error reports. */
  readonly line?: number;
  /**
   * The platform resource the change describes (a Shopify product id), when the vendor names one: a
   * delete of that resource is remembered against it, so an older change carrying it stays deleted.
   */
  readonly resource?: PlatformResource;
  /**
   * A relative stock movement (whole units) to add to the stored `available`, instead of `attributes`.
   * Set only by {@link inventoryDeltaChange}; the write path applies it once per event id.
   */
  readonly delta?: number;
}

/** What {@link toChange} needs besides the input. */
export interface ChangeContext {
  readonly vendorId: string;
  readonly jobId: string;
  readonly workflow: Workflow;
  /** Source used when the input names none. */
  readonly defaultSource: Source;
  /** Event time used when the input has none (a file's as-of time), epoch ms. */
  readonly defaultSourceTs?: number;
  readonly defaultCurrency: string;
  readonly decimalSeparator?: DecimalSeparator;
  /** IANA zone for naive timestamps. */
  readonly timeZone?: string;
  /** Entity types the vendor is configured for; others are rejected. */
  readonly entityTypes?: readonly EntityType[];
}

function issuesToError(issues: readonly v.BaseIssue<unknown>[], prefix: string, line?: number): ValidationError {
  const first = issues[0];
  const path = first ? v.getDotPath(first) : null;
  const field = path ? `${prefix}${path}` : prefix.replace(/\.$/, "") || undefined;
  // valibot words an unknown key in a strict object as "Expected never"; say what it means.
  const message = first?.type === "strict_object" ? `unknown field ${first.received}` : (first?.message ?? "invalid");
  return new ValidationError(field ? `${field}: ${message}` : message, {
    field,
    value: first?.input,
    ...(line === undefined ? {} : { line }),
  });
}

function money(value: unknown, currency: string, field: string, separator: DecimalSeparator | undefined): number {
  return typeof value === "number"
    ? parseMoneyNumber(value, currency, { field }).amount
    : parseMoney(String(value), currency, { field, decimalSeparator: separator }).amount;
}

/** A price amount: money that cannot be below zero (a selling, compare-at or cost price). */
function priceAmount(value: unknown, currency: string, field: string, separator: DecimalSeparator | undefined): number {
  const amount = money(value, currency, field, separator);
  if (amount < 0)
    throw new ValidationError(`${field}: a price cannot be negative (${String(value)})`, { field, value });
  return amount;
}

function integer(value: unknown, field: string): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isSafeInteger(n)) throw new ValidationError(`${field}: not a whole number`, { field, value });
  return n;
}

function copyPresent(target: Attributes, source: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    if (key in source && source[key] !== undefined) target[key] = source[key] as AttributeValue;
  }
}

/** Turns validated vendor attributes into canonical ones (money in minor units, integers parsed). */
function canonicalAttributes(entityType: EntityType, raw: Record<string, unknown>, ctx: ChangeContext): Attributes {
  const out: Attributes = {};
  const sep = ctx.decimalSeparator;
  switch (entityType) {
    case "product": {
      copyPresent(out, raw, [
        "title",
        "description",
        "shortDescription",
        "brand",
        "productType",
        "status",
        "tags",
        "categories",
        "options",
        "variantKeys",
        "parentKey",
        "images",
        "barcode",
        "weightUnit",
        "urlKey",
        "extra",
      ]);
      if (raw.weight !== undefined) out.weight = raw.weight === null ? null : String(raw.weight).trim();
      if (typeof out.parentKey === "string") out.parentKey = normalizeKey(out.parentKey, "attributes.parentKey");
      return out;
    }
    case "price": {
      const currency = String(raw.currency ?? ctx.defaultCurrency)
        .trim()
        .toUpperCase();
      if (raw.amount !== undefined) out.amount = priceAmount(raw.amount, currency, "attributes.amount", sep);
      for (const field of ["compareAtAmount", "costAmount"] as const) {
        if (raw[field] === undefined) continue;
        out[field] = raw[field] === null ? null : priceAmount(raw[field], currency, `attributes.${field}`, sep);
      }
      if (raw.amount !== undefined || raw.currency !== undefined) {
        // Validates the code even when no amount came with it.
        money("0", currency, "attributes.currency", ".");
        out.currency = currency;
      }
      return out;
    }
    case "inventory": {
      if (raw.available !== undefined) out.available = integer(raw.available, "attributes.available");
      copyPresent(out, raw, ["locationId", "backorders"]);
      return out;
    }
    case "order": {
      copyPresent(out, raw, ["status", "financialStatus", "fulfillmentStatus"]);
      const currency = String(raw.currency ?? ctx.defaultCurrency)
        .trim()
        .toUpperCase();
      if (raw.totalAmount !== undefined) {
        out.totalAmount =
          raw.totalAmount === null ? null : money(raw.totalAmount, currency, "attributes.totalAmount", sep);
        out.currency = currency;
      }
      if (raw.placedAt !== undefined) {
        out.placedAt =
          raw.placedAt === null
            ? null
            : parseTimestamp(raw.placedAt, { field: "attributes.placedAt", timeZone: ctx.timeZone });
      }
      if (raw.lineItemCount !== undefined) {
        out.lineItemCount = raw.lineItemCount === null ? null : integer(raw.lineItemCount, "attributes.lineItemCount");
      }
      return out;
    }
  }
}

/**
 * Derives a stable event id for input that carries none: the same record content at the same
 * source time always gets the same id, so re-imports and redeliveries are recognised.
 */
export function deriveEventId(parts: {
  vendorId: string;
  entityType: EntityType;
  entityKey: string;
  sourceTs: number;
  contentHash: string;
}): string {
  return `h-${contentHash([parts.vendorId, parts.entityType, parts.entityKey, parts.sourceTs, parts.contentHash])}`;
}

/**
 * Validates a canonical change input and builds the {@link Change}: key normalised (NFC, trimmed,
 * invisible characters removed), money parsed from its text into minor units, times to epoch ms,
 * content hash computed.
 *
 * @throws {ValidationError} naming the field (and the line, when the input has one).
 */
export function toChange(input: unknown, ctx: ChangeContext): Change {
  const line =
    typeof input === "object" && input !== null && typeof (input as { line?: unknown }).line === "number"
      ? (input as { line: number }).line
      : undefined;
  const reserved = reservedKeyIn(input);
  if (reserved !== undefined) {
    throw new ValidationError(`unknown field ${reserved}`, {
      field: reserved,
      ...(line === undefined ? {} : { line }),
    });
  }
  const parsed = v.safeParse(ChangeInputSchema, input);
  if (!parsed.success) throw issuesToError(parsed.issues, "", line);
  const change = parsed.output;
  try {
    if (ctx.entityTypes && !ctx.entityTypes.includes(change.entityType)) {
      throw new ValidationError(`entity type ${change.entityType} is not configured for vendor ${ctx.vendorId}`, {
        field: "entityType",
        value: change.entityType,
      });
    }
    const entityKey = normalizeKey(change.entityKey);
    let attributes: Attributes = {};
    if (change.op === "upsert") {
      const reservedAttribute = reservedKeyIn(change.attributes);
      if (reservedAttribute !== undefined) {
        throw new ValidationError(`attributes.${reservedAttribute}: unknown field ${reservedAttribute}`, {
          field: `attributes.${reservedAttribute}`,
          ...(line === undefined ? {} : { line }),
        });
      }
      const attrs = v.safeParse(ATTRIBUTE_SCHEMAS[change.entityType], change.attributes);
      if (!attrs.success) throw issuesToError(attrs.issues, "attributes.", line);
      attributes = canonicalAttributes(change.entityType, attrs.output as Record<string, unknown>, ctx);
      if (Object.keys(attributes).length === 0) {
        throw new ValidationError("an upsert must carry at least one attribute", { field: "attributes" });
      }
    }
    let sourceTs: number;
    if (change.sourceTs !== undefined) {
      sourceTs = parseTimestamp(change.sourceTs, { timeZone: ctx.timeZone });
    } else if (ctx.defaultSourceTs !== undefined) {
      sourceTs = ctx.defaultSourceTs;
    } else {
      throw new ValidationError("missing sourceTs and no as-of time for this input", { field: "sourceTs" });
    }
    const hash = contentHash({ op: change.op, attributes });
    const eventId =
      change.eventId ??
      deriveEventId({ vendorId: ctx.vendorId, entityType: change.entityType, entityKey, sourceTs, contentHash: hash });
    return {
      vendorId: ctx.vendorId,
      entityType: change.entityType,
      entityKey,
      op: change.op,
      eventId,
      sourceTs,
      ...(change.sourceVersion === undefined ? {} : { sourceVersion: Number(change.sourceVersion) }),
      ...(change.expectedVersion === undefined ? {} : { expectedVersion: change.expectedVersion }),
      source: change.source ?? ctx.defaultSource,
      workflow: ctx.workflow,
      jobId: ctx.jobId,
      attributes,
      contentHash: hash,
      ...(line === undefined ? {} : { line }),
      ...(change.resource === undefined ? {} : { resource: change.resource }),
    };
  } catch (error) {
    if (error instanceof ValidationError && line !== undefined && error.line === undefined) {
      throw new ValidationError(error.message, { field: error.field, value: error.value, line, cause: error.cause });
    }
    throw error;
  }
}

/** Fields a record of each type must have once created (an upsert creating a record without them is rejected). */
export const REQUIRED_ON_CREATE: Readonly<Record<EntityType, readonly string[]>> = {
  product: ["title"],
  price: ["amount", "currency"],
  inventory: ["available"],
  order: ["status"],
};
