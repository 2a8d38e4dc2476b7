import * as v from "valibot";
import type { ChangeInput } from "../../change-input.ts";
import { commercetoolsEventId } from "../event-identity.ts";
import { parseShape, SafeIntegerSchema, scaledAmountToText, utcMillis } from "../payload-fields.ts";
import type { WebhookMapping, WebhookMappingContext } from "../results.ts";

const SOURCE = "vendor:webhook" as const;
const Text = v.pipe(v.string(), v.nonEmpty());
const Reference = v.looseObject({ typeId: Text, id: Text });
/** Amounts are integers; `bigint` when above 2^53 (lossless parsing), kept exact either way. */
const IntegerAmount = v.union([SafeIntegerSchema, v.bigint()]);

const MoneySchema = v.looseObject({
  type: v.picklist(["centPrecision", "highPrecision"]),
  currencyCode: Text,
  centAmount: IntegerAmount,
  fractionDigits: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20)),
  preciseAmount: v.optional(IntegerAmount),
});

const BaseSchema = v.looseObject({
  notificationType: Text,
  resource: Reference,
  resourceUserProvidedIdentifiers: v.nullish(v.looseObject({ key: v.nullish(v.string()), sku: v.nullish(v.string()) })),
});

const MessageSchema = v.looseObject({
  id: Text,
  type: v.optional(Text),
  sequenceNumber: v.optional(SafeIntegerSchema),
  resourceVersion: SafeIntegerSchema,
  createdAt: v.string(),
  lastModifiedAt: v.optional(v.string()),
  payloadNotIncluded: v.optional(v.looseObject({ reason: v.optional(v.string()), payloadType: Text })),
});

const ChangeNotificationSchema = v.looseObject({
  version: SafeIntegerSchema,
  modifiedAt: v.string(),
});

const InventoryQuantitySetSchema = v.looseObject({
  newAvailableQuantity: SafeIntegerSchema,
  sku: v.nullish(v.string()),
  supplyChannel: v.nullish(Reference),
});

const PriceValueChangedSchema = v.looseObject({
  value: MoneySchema,
  staged: v.nullish(v.boolean()),
});

/**
 * commercetools money → decimal text in the currency's minor units. `centPrecision` is exact by
 * definition; `highPrecision` uses `preciseAmount` and is accepted only when its extra digits are zero.
 *
 * @throws {ValidationError} (`value.preciseAmount`, `value.currencyCode`) when the amount cannot be
 *   held without rounding or the currency is unknown.
 * @see https://docs.commercetools.com/api/types#money
 */
function moneyText(money: v.InferOutput<typeof MoneySchema>, field: string): { amount: string; currency: string } {
  const currency = money.currencyCode.toUpperCase();
  const precise = money.type === "highPrecision" && money.preciseAmount !== undefined;
  const amount = BigInt(precise ? (money.preciseAmount as number | bigint) : money.centAmount);
  return {
    amount: scaledAmountToText(amount, money.fractionDigits, currency, {
      amount: `${field}.${precise ? "preciseAmount" : "centAmount"}`,
      currency: `${field}.currencyCode`,
    }),
    currency,
  };
}

/**
 * Maps one commercetools Subscription payload (Platform format), as taken off the queue it was
 * delivered to. commercetools signs nothing: authenticity comes from who may write to that queue.
 *
 * - `InventoryEntryQuantitySet` → `inventory` keyed `<sku>@<supply channel id>` (just `<sku>` without a
 *   channel, as the inventory pull keys entries), `available` = `newAvailableQuantity` (on stock minus
 *   reservations). Messages from before the `sku` field (2025-10-17) → `fetch` of the entry.
 * - `StandalonePriceValueChanged` → `price` keyed by the standalone price's `key` (else its id): a SKU
 *   can have one standalone price per currency, channel and customer group, so the price resource,
 *   not the SKU, is the record. Staged (draft) changes are `ignored` as not live.
 * - `ResourceCreated`/`ResourceUpdated` change notifications and messages whose payload was left out
 *   (`payloadNotIncluded`) → `fetch` of the resource.
 *
 * `sourceVersion` is the `resourceVersion` (or the notification's `version`), so late and duplicate
 * deliveries, which commercetools does not order, lose to newer ones.
 *
 * @throws {ValidationError} naming the field when the payload is malformed.
 * @see https://docs.commercetools.com/api/projects/subscriptions
 * @see https://docs.commercetools.com/api/projects/messages
 */
export function mapCommercetoolsMessage(body: unknown, _ctx: WebhookMappingContext): WebhookMapping {
  const base = parseShape(BaseSchema, body);
  const resource = { type: base.resource.typeId, id: base.resource.id };
  if (base.notificationType !== "Message") {
    const note = parseShape(ChangeNotificationSchema, body);
    const eventId = commercetoolsEventId({ resource: base.resource, version: note.version });
    if (base.notificationType === "ResourceCreated" || base.notificationType === "ResourceUpdated") {
      const sourceTs = utcMillis(note.modifiedAt, "modifiedAt");
      return { kind: "fetch", eventId, sourceTs, sourceVersion: note.version, resource, reason: "change-notification" };
    }
    return { kind: "ignored", reason: "unsupported-topic", detail: `commercetools ${base.notificationType}` };
  }

  const message = parseShape(MessageSchema, body);
  const eventId = commercetoolsEventId({ id: message.id, resource: base.resource });
  const sourceTs = utcMillis(message.lastModifiedAt ?? message.createdAt, "lastModifiedAt");
  const common = { eventId, sourceTs, sourceVersion: message.resourceVersion, source: SOURCE, op: "upsert" as const };
  if (message.payloadNotIncluded) {
    return {
      kind: "fetch",
      eventId,
      sourceTs,
      sourceVersion: message.resourceVersion,
      resource,
      reason: "payload-not-included",
      messageId: message.id,
    };
  }
  switch (message.type) {
    case "InventoryEntryQuantitySet": {
      const entry = parseShape(InventoryQuantitySetSchema, body);
      const sku = entry.sku?.trim();
      if (!sku) {
        return {
          kind: "fetch",
          eventId,
          sourceTs,
          sourceVersion: message.resourceVersion,
          resource,
          reason: "key-unknown",
        };
      }
      const channel = entry.supplyChannel?.id;
      const change: ChangeInput = {
        ...common,
        entityType: "inventory",
        entityKey: channel ? `${sku}@${channel}` : sku,
        attributes: { available: entry.newAvailableQuantity, ...(channel ? { locationId: channel } : {}) },
      };
      return { kind: "changes", eventId, changes: [change] };
    }
    case "StandalonePriceValueChanged": {
      const priceChange = parseShape(PriceValueChangedSchema, body);
      if (priceChange.staged) {
        return { kind: "ignored", reason: "not-live", detail: "staged standalone price value" };
      }
      const change: ChangeInput = {
        ...common,
        entityType: "price",
        entityKey: base.resourceUserProvidedIdentifiers?.key?.trim() || base.resource.id,
        attributes: moneyText(priceChange.value, "value"),
      };
      return { kind: "changes", eventId, changes: [change] };
    }
    default:
      return {
        kind: "ignored",
        reason: "unsupported-topic",
        detail: `commercetools message ${message.type ?? "(none)"}`,
      };
  }
}
