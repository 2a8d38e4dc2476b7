import { parseJsonBody } from "./json-body.ts";
import { mapBigCommerceWebhook } from "./mappers/bigcommerce.ts";
import { mapCanonicalWebhook } from "./mappers/canonical.ts";
import { mapCommercetoolsMessage } from "./mappers/commercetools.ts";
import { mapShopifyWebhook } from "./mappers/shopify.ts";
import { mapWooCommerceWebhook } from "./mappers/woocommerce.ts";
import type { WebhookMapping, WebhookMappingContext, WebhookPayloadFormat } from "./results.ts";

export { BIGCOMMERCE_ORDER_STATUSES } from "./mappers/bigcommerce.ts";
export { wooCommerceProductKey } from "./mappers/woocommerce.ts";
export type * from "./results.ts";

/**
 * Maps one verified webhook body into what it means for the store: canonical changes, a resource to
 * fetch, a relative inventory movement, or nothing. Pure apart from the injected key index.
 *
 * The body is parsed losslessly (ids above 2^53 keep every digit); call this only after
 * `verifyWebhookSignature` accepted the same bytes.
 *
 * @param format - the vendor's `channels.webhook.payloadFormat`.
 * @param body - the raw body bytes, exactly as verified.
 * @throws {ValidationError} naming the field when the body is not UTF-8 JSON or lacks what its
 *   topic needs. Never retried: the delivery is rejected with that reason.
 */
export async function mapWebhookPayload(
  format: WebhookPayloadFormat,
  body: Uint8Array,
  ctx: WebhookMappingContext,
): Promise<WebhookMapping> {
  const parsed = parseJsonBody(body);
  switch (format) {
    case "shopify":
      return mapShopifyWebhook(parsed, ctx);
    case "woocommerce":
      return mapWooCommerceWebhook(parsed, ctx);
    case "bigcommerce":
      return mapBigCommerceWebhook(parsed, body, ctx);
    case "commercetools":
      return mapCommercetoolsMessage(parsed, ctx);
    case "canonical":
      return mapCanonicalWebhook(parsed, ctx);
  }
}
