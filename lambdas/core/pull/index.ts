import { mapAkeneo } from "./akeneo.ts";
import { mapBigCommerceRest } from "./bigcommerce-rest.ts";
import { mapCanonical } from "./canonical.ts";
import { mapCommercetoolsInventory } from "./commercetools.ts";
import type { PullMapContext, PullMapper, PullMapResult } from "./mapping.ts";
import type { PullFormat } from "./pull-config.ts";
import { mapShopifyGraphql } from "./shopify-graphql.ts";
import { mapShopifyRest } from "./shopify-rest.ts";
import { mapWooCommerceRest } from "./woocommerce-rest.ts";

export type { PullMapContext, PullMapper, PullMapResult, PullReject } from "./mapping.ts";
export { mapWooCommerceVariations, wooCommerceKey } from "./woocommerce-rest.ts";

/** The mapper for each pull format (vendor config `channels.pull.format`). */
export const PULL_MAPPERS: Readonly<Record<PullFormat, PullMapper>> = {
  "shopify-rest": mapShopifyRest,
  "shopify-graphql": mapShopifyGraphql,
  "woocommerce-rest": mapWooCommerceRest,
  "bigcommerce-rest": mapBigCommerceRest,
  commercetools: mapCommercetoolsInventory,
  akeneo: mapAkeneo,
  canonical: mapCanonical,
};

/**
 * Maps one page of pulled records to canonical change inputs. Pure: no I/O, no clock.
 *
 * @param format - the vendor's pull format.
 * @param records - the page's records, as the connector located them with `recordsPath`.
 * @returns changes (`source: "vendor:pull"`, `sourceTs` in epoch ms, money as decimal text) and
 *   per-record rejects; a bad record never fails the page.
 */
export function mapPullRecords(format: PullFormat, records: readonly unknown[], ctx: PullMapContext): PullMapResult {
  return PULL_MAPPERS[format](records, ctx);
}
