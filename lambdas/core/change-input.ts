/**
 * What a vendor may send as a change, before validation: the input schemas of each entity type's
 * attributes and of a change (amounts as decimal text, times as text or epoch ms, keys as text or
 * integers). `toChange` (change.ts) validates an input against them into a {@link Change}.
 */
import * as v from "valibot";
import { RESERVED_OBJECT_KEYS, setDataKey } from "./data-keys.ts";
import { ENTITY_TYPES, OPS, SOURCES } from "./model.ts";

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
export function reservedKeyIn(input: unknown): string | undefined {
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

export const ATTRIBUTE_SCHEMAS = {
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
