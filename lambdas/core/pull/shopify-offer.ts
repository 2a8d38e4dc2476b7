import type { ChangeInput } from "../change-input.ts";
import { decimalText, PULL_SOURCE } from "./mapping.ts";

/** A Shopify variant's price and stock as both Admin APIs carry them, field names aside. */
export interface ShopifyOffer {
  /** Decimal text (or a number in the currency's units). */
  readonly price: number | string;
  /** `undefined`: not in the answer (left as stored); `null`: none. */
  readonly compareAtPrice: number | string | null | undefined;
  /** Where the compare-at price came from, for errors (`variants.compare_at_price`, `compareAtPrice`). */
  readonly compareAtField: string;
  /** Units available; no inventory change without it. */
  readonly inventoryQuantity: number | null | undefined;
  /** Whether the variant sells when out of stock (inventory policy `continue`); `undefined` when not in the answer. */
  readonly continueSelling: boolean | undefined;
}

/**
 * @returns a variant's `price` change and, when the answer carries its quantity, its `inventory`
 *   change, keyed by the variant key, at `sourceTs`: the same for REST and GraphQL pulls.
 */
export function shopifyOfferChanges(
  key: string,
  sourceTs: number,
  offer: ShopifyOffer,
  currency: string,
): ChangeInput[] {
  const changes: ChangeInput[] = [
    {
      entityType: "price",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        amount: decimalText(offer.price, currency, "variants.price"),
        ...(offer.compareAtPrice === undefined
          ? {}
          : {
              compareAtAmount:
                offer.compareAtPrice === null
                  ? null
                  : decimalText(offer.compareAtPrice, currency, offer.compareAtField),
            }),
      },
    },
  ];
  if (typeof offer.inventoryQuantity === "number") {
    changes.push({
      entityType: "inventory",
      entityKey: key,
      sourceTs,
      source: PULL_SOURCE,
      attributes: {
        available: offer.inventoryQuantity,
        ...(offer.continueSelling === undefined ? {} : { backorders: offer.continueSelling ? "allow" : "deny" }),
      },
    });
  }
  return changes;
}
