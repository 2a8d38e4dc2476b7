import * as v from "valibot";
import { contentHash } from "./content-hash.ts";
import { RESERVED_OBJECT_KEYS, setDataKey } from "./data-keys.ts";
import { ValidationError } from "./errors.ts";
import { normalizeKey } from "./keys.ts";
import {
  type Attributes,
  type AttributeValue,
  ENTITY_TYPES,
  type EntityType,
  OPS,
  type Op,
  type RecordKey,
  SOURCES,
  type Source,
  type Workflow,
} from "./model.ts";
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

const KeySchema = v.union([v.string(), v.pipe(v.number(), v.safeInteger())]);

/** A platform's resource by the platform's own id (every digit kept). */
export const PlatformResourceSchema = v.strictObject({
  type: v.picklist(["product", "variant"]),
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
});
export type PlatformResource = v.InferOutput<typeof PlatformResourceSchema>;
const TimeSchema = v.union([v.string(), v.number()]);
const MoneyTextSchema = v.union([v.string(), v.number()]);
const IntegerTextSchema = v.union([
  v.pipe(v.number(), v.safeInteger()),
  v.pipe(v.string(), v.regex(/^\s*[+-]?\d+\s*$/)),
]);
const text = () => v.nullish(v.string());
const textList = () => v.nullish(v.array(v.string()));

/** The value schema of each {@link dataRecord}, for the JSON Schema export (`local/json-schemas.ts`). */
export const DATA_RECORD_VALUES = new WeakMap<object, v.GenericSchema>();

/**
 * A map keyed by vendor data (option names, vendor-specific attribute names): like `v.record`, but
 * every key is kept — `v.record` drops `__proto__`, `constructor` and `prototype` to stay safe; here
 * they are stored as ordinary own properties (see data-keys.ts).
 */
function dataRecord<TValue extends v.GenericSchema>(value: TValue) {
  const shape = v.custom<Record<string, unknown>>(
    (input) => typeof input === "object" && input !== null && !Array.isArray(input),
    (issue) => `Invalid type: Expected Object but received ${issue.received}`,
  );
  DATA_RECORD_VALUES.set(shape, value);
  return v.pipe(
    shape,
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const out: Record<string, v.InferOutput<TValue>> = {};
      for (const key of Object.keys(dataset.value)) {
        const entry = v.safeParse(value, dataset.value[key]);
        if (!entry.success) {
          const path = [{ type: "object", origin: "value", input: dataset.value, key, value: dataset.value[key] }];
          addIssue({ message: entry.issues[0].message, path: path as never });
          return NEVER;
        }
        setDataKey(out, key, entry.output);
      }
      return out;
    }),
  );
}

/**
 * @returns an own key of `input` that names no field of a fixed-shape object (`__proto__`,
 *   `constructor`, `prototype`): strict schemas skip such keys silently instead of refusing them.
 */
function reservedKeyIn(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  return Object.keys(input).find((key) => RESERVED_OBJECT_KEYS.has(key));
}

/** Product (catalog) attributes as a vendor supplies them. */
export const ProductAttributesInputSchema = v.strictObject({
  title: text(),
  description: text(),
  shortDescription: text(),
  brand: text(),
  productType: text(),
  status: v.nullish(v.picklist(["active", "draft", "archived"])),
  tags: textList(),
  categories: textList(),
  /** Option name → value for a variant (`{ size: "XS", color: "Black" }`). */
  options: v.nullish(dataRecord(v.string())),
  /** Keys of this product's variants (configurable parents). */
  variantKeys: textList(),
  /** Key of the parent product, for variants. */
  parentKey: text(),
  images: textList(),
  barcode: text(),
  /** Weight as decimal text in `weightUnit`. */
  weight: v.nullish(v.union([v.string(), v.number()])),
  weightUnit: v.nullish(v.picklist(["g", "kg", "lb", "oz"])),
  urlKey: text(),
  /** Vendor-specific attributes (`material`, `climate`…): text or lists of text. */
  extra: v.nullish(dataRecord(v.union([v.string(), v.array(v.string())]))),
});

/** Price attributes as a vendor supplies them: amounts as decimal text in the currency. */
export const PriceAttributesInputSchema = v.strictObject({
  amount: v.optional(MoneyTextSchema),
  currency: v.optional(v.string()),
  compareAtAmount: v.nullish(MoneyTextSchema),
  costAmount: v.nullish(MoneyTextSchema),
});

/** Inventory attributes: whole units available at a location. */
export const InventoryAttributesInputSchema = v.strictObject({
  available: v.optional(IntegerTextSchema),
  locationId: text(),
  /** Whether the vendor sells when out of stock. */
  backorders: v.nullish(v.picklist(["deny", "allow", "notify"])),
});

/** Order status attributes. Order data is PII-adjacent: never logged. */
export const OrderAttributesInputSchema = v.strictObject({
  status: v.optional(v.pipe(v.string(), v.minLength(1))),
  financialStatus: text(),
  fulfillmentStatus: text(),
  totalAmount: v.nullish(MoneyTextSchema),
  currency: v.optional(v.string()),
  placedAt: v.nullish(TimeSchema),
  lineItemCount: v.nullish(IntegerTextSchema),
});

const ATTRIBUTE_SCHEMAS = {
  product: ProductAttributesInputSchema,
  price: PriceAttributesInputSchema,
  inventory: InventoryAttributesInputSchema,
  order: OrderAttributesInputSchema,
} as const;

/**
 * The canonical change as it travels in JSON Lines (files, queues, the batch workflow's normalised
 * files): what a vendor supplies. The importer adds `jobId`, `workflow` and `contentHash`.
 *
 * @see ../../docs/canonical-format.md
 */
export const ChangeInputSchema = v.strictObject({
  entityType: v.picklist(ENTITY_TYPES),
  entityKey: KeySchema,
  /** @default "upsert" */
  op: v.optional(v.picklist(OPS), "upsert"),
  /** Derived from the content when absent (stable across re-imports of the same data). */
  eventId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256))),
  /** ISO 8601 or epoch ms. @default the file's as-of time */
  sourceTs: v.optional(TimeSchema),
  sourceVersion: v.optional(
    v.union([v.pipe(v.number(), v.safeInteger(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\d{1,15}$/))]),
  ),
  expectedVersion: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(0))),
  /** @default the channel the file or event came through */
  source: v.optional(v.picklist(SOURCES)),
  attributes: v.optional(dataRecord(v.unknown()), {}),
  /** 1-based source line, set by the normaliser. */
  line: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** The platform resource the change describes (its deletion is remembered against it). */
  resource: v.optional(PlatformResourceSchema),
});

export type ChangeInput = v.InferInput<typeof ChangeInputSchema>;

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
