import type { ChangeInput } from "../../core/change-input.ts";
import { ValidationError } from "../../core/errors.ts";
import { mapPullRecords } from "../../core/pull/index.ts";
import type { VendorConfig } from "../../core/vendor-config.ts";
import type { FetchMapping, ResourceFetcher, WebhookMapping } from "../../core/webhooks/results.ts";
import type { VendorHttpConnector } from "./connector.ts";

/** What {@link VendorResourceFetcher} needs. */
export interface VendorResourceFetcherDeps {
  /** @throws {ValidationError} for an unknown vendor. */
  readonly vendor: (vendorId: string) => VendorConfig;
  /** The vendor's connector (one per vendor, reused so OAuth tokens are too). */
  readonly connectorFor: (vendor: VendorConfig) => Pick<VendorHttpConnector, "fetchResource">;
  /** Epoch ms. @default Date.now */
  readonly now?: () => number;
  /**
   * Time allowed for one fetch (retries and short rate-limit waits included), ms; it must leave room
   * for one page (`pageTimeoutSeconds`, at most 20 s for channels with resources). @default 25000
   */
  readonly timeoutMs?: number;
}

/**
 * Thin webhook notifications (BigCommerce, commercetools change notifications and payload-less
 * messages) read the current resource through the vendor's pull connector (`channels.pull.resources`)
 * and map it with the channel's pull format. The fetched state supersedes the notification: each
 * change keeps the record's own modification time, but never earlier than the notification, and the
 * notification's resource version when the record has none.
 */
export class VendorResourceFetcher implements ResourceFetcher {
  readonly #deps: VendorResourceFetcherDeps;

  constructor(deps: VendorResourceFetcherDeps) {
    this.#deps = deps;
  }

  async fetch(vendorId: string, mapping: FetchMapping): Promise<WebhookMapping> {
    const vendor = this.#deps.vendor(vendorId);
    const channel = vendor.channels.pull;
    const what = `${mapping.resource.type} ${mapping.resource.id}`;
    if (!channel) {
      throw new ValidationError(
        `thin notification for ${what}: vendor ${vendor.id} has no pull connector to fetch it`,
        {
          field: "channels.pull",
        },
      );
    }
    const now = this.#deps.now ?? Date.now;
    const records = await this.#deps.connectorFor(vendor).fetchResource(
      mapping.resource.type,
      {
        id: mapping.resource.id,
        ...(mapping.resource.productId === undefined ? {} : { productId: mapping.resource.productId }),
      },
      { deadline: now() + (this.#deps.timeoutMs ?? 25_000) },
    );
    if (records === undefined) {
      return { kind: "ignored", reason: "unknown-resource", detail: `${what} no longer exists at the vendor` };
    }
    const mapped = mapPullRecords(channel.format, records, {
      currency: vendor.defaultCurrency,
      locale: channel.locale,
      timeZone: vendor.timeZone,
    });
    const [reject] = mapped.rejects;
    if (mapped.changes.length === 0 && reject) {
      throw new ValidationError(`fetched ${what} cannot be mapped: ${reject.reason}`, {
        ...(reject.field === undefined ? {} : { field: reject.field }),
      });
    }
    const changes = mapped.changes.map(
      (change): ChangeInput => ({
        ...change,
        sourceTs: Math.max(Number(change.sourceTs ?? 0), mapping.sourceTs),
        ...(change.sourceVersion === undefined && mapping.sourceVersion !== undefined
          ? { sourceVersion: mapping.sourceVersion }
          : {}),
      }),
    );
    return { kind: "changes", eventId: mapping.eventId, changes };
  }
}
