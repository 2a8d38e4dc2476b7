/**
 * The real-time processor's work on one verified webhook message: load its mapping (inline or from
 * the archive), fetch a thin notification's resource, and apply the changes through the shared write
 * path — a platform delete, an inventory movement, or mapped changes validated into changes. Rejected
 * changes are kept with their reason under `rejects/<vendor>/<day>/<eventId>.json`. Transport (SQS
 * batches, pause, retries, the dead-letter queue) is the caller's (`lambdas/process-changes`).
 */
import type { Change } from "../change.ts";
import { changeContext, intake } from "../changes/context.ts";
import type { ChangeInterpreter } from "../changes/interpreter.ts";
import type { ChangeApplier } from "../changes/ports.ts";
import { type ChangeResult, type RejectEntry, rejectEntryOf } from "../changes/results.ts";
import { TransientError, ValidationError } from "../errors.ts";
import { inventoryDeltaChange } from "../inventory-delta.ts";
import { assertValueNesting } from "../json-nesting.ts";
import type { ObjectStore } from "../ports.ts";
import type { VendorConfig } from "../vendor-config.ts";
import type { ResourceFetcher, WebhookMapping } from "../webhooks/results.ts";
import type { WebhookMessage } from "./webhook-message.ts";

/** What became of one message (the sandbox and the demo print it). */
export interface ProcessedMessage {
  readonly vendorId: string;
  readonly eventId: string;
  readonly results: readonly ChangeResult[];
  /** Why nothing was written, when nothing was (ignored, rejected, dead-lettered). */
  readonly note?: string;
}

/** What the processor needs. */
export interface WebhookProcessorDeps {
  readonly vendors: { get(vendorId: string): VendorConfig };
  /** The change interpreter (live mode; platform deletes). */
  readonly writer: ChangeApplier & Pick<ChangeInterpreter, "deleteResource">;
  /** Archived deliveries and large mappings. */
  readonly archive: ObjectStore;
  /** Where rejected changes are kept (`rejects/<vendor>/<day>/<eventId>.json`). */
  readonly rejects: ObjectStore;
  readonly fetcher?: ResourceFetcher;
}

/** A mapping with its resource fetched. */
type Resolved = Exclude<WebhookMapping, { kind: "fetch" }>;

/**
 * @throws {TransientError} when a change failed: the written ones are unchanged or duplicates on the
 *   retry, so the whole message is safe to redo.
 */
function throwIfFailed(results: readonly ChangeResult[]): void {
  const failed = results.filter((result) => result.outcome === "failed");
  if (failed.length > 0) throw new TransientError(`${failed.length} change(s) failed: ${failed[0]?.reason}`);
}

/** Applies verified webhook messages through the write path. */
export class WebhookProcessor {
  readonly #deps: WebhookProcessorDeps;

  constructor(deps: WebhookProcessorDeps) {
    this.#deps = deps;
  }

  /**
   * Applies one message.
   * @throws {ValidationError} for vendor data no retry can fix (a missing mapping, nesting too deep, a
   *   thin notification without a connector): see {@link reject}.
   * @throws {TransientError} when a change failed to write: retry the whole message.
   */
  async process(message: WebhookMessage): Promise<ProcessedMessage> {
    const vendor = this.#deps.vendors.get(message.vendorId);
    const mapping = await this.#resolve(vendor, await this.#loadMapping(message));
    if (mapping.kind === "ignored")
      return { vendorId: vendor.id, eventId: message.eventId, results: [], note: mapping.reason };
    if (mapping.kind === "platform-delete") return this.#delete(vendor, message, mapping);
    return this.#apply(vendor, message, mapping);
  }

  /** Keeps a message refused as a whole with its reason. @returns what to report. */
  async reject(message: WebhookMessage, error: ValidationError): Promise<ProcessedMessage> {
    await this.keepRejects(message, [
      { outcome: "rejected", reason: error.message, field: error.field, eventId: message.eventId },
    ]);
    return { vendorId: message.vendorId, eventId: message.eventId, results: [], note: `rejected: ${error.message}` };
  }

  /** Keeps a message's rejected changes (nothing when there are none). */
  async keepRejects(
    message: Pick<WebhookMessage, "vendorId" | "eventId" | "receivedAt">,
    entries: RejectEntry[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const day = new Date(message.receivedAt).toISOString().slice(0, 10).replaceAll("-", "/");
    await this.#deps.rejects.writeText(
      `rejects/${message.vendorId}/${day}/${encodeURIComponent(message.eventId)}.json`,
      JSON.stringify({ vendorId: message.vendorId, eventId: message.eventId, rejects: entries }),
    );
  }

  async #loadMapping(message: WebhookMessage): Promise<WebhookMapping> {
    if (message.mapping) return message.mapping;
    const text = message.mappingKey ? await this.#deps.archive.readText(message.mappingKey) : undefined;
    if (!text)
      throw new ValidationError(`mapping ${message.mappingKey ?? "(none)"} is missing`, { field: "mappingKey" });
    return JSON.parse(text) as WebhookMapping;
  }

  /** Checks the mapping's nesting and fetches a thin notification's resource. */
  async #resolve(vendor: VendorConfig, loaded: WebhookMapping): Promise<Resolved> {
    // The ingest limit, again: a message queued before it (or replayed from elsewhere) is refused, not retried.
    assertValueNesting(loaded, { field: "mapping" });
    let mapping = loaded;
    if (mapping.kind === "fetch") {
      if (!this.#deps.fetcher) {
        throw new ValidationError(
          `thin notification for ${mapping.resource.type} ${mapping.resource.id}: vendor ${vendor.id} has no pull connector to fetch it`,
          { field: "resource" },
        );
      }
      mapping = await this.#deps.fetcher.fetch(vendor.id, mapping);
    }
    if (mapping.kind === "fetch") throw new TransientError("connector returned another fetch");
    return mapping;
  }

  async #delete(
    vendor: VendorConfig,
    message: WebhookMessage,
    mapping: Extract<WebhookMapping, { kind: "platform-delete" }>,
  ): Promise<ProcessedMessage> {
    const results = await this.#deps.writer.deleteResource(
      vendor.id,
      mapping.resource,
      { sourceTs: mapping.sourceTs, source: "vendor:webhook", eventId: mapping.eventId },
      { workflow: "real-time", jobId: "real-time" },
    );
    throwIfFailed(results);
    return {
      vendorId: vendor.id,
      eventId: message.eventId,
      results,
      ...(results.length === 0 ? { note: "delete remembered: no record of it stored yet" } : {}),
    };
  }

  /** Mapped changes and inventory movements: validated, written, rejects kept. */
  async #apply(
    vendor: VendorConfig,
    message: WebhookMessage,
    mapping: Extract<Resolved, { kind: "changes" | "inventory-delta" }>,
  ): Promise<ProcessedMessage> {
    const inputs = mapping.kind === "changes" ? mapping.changes : [];
    // A relative movement is applied by the write path itself, exactly once by event id (inventory-delta.ts).
    const changes: Change[] =
      mapping.kind === "inventory-delta"
        ? [
            inventoryDeltaChange(mapping, {
              vendorId: vendor.id,
              jobId: "real-time",
              workflow: "real-time",
              source: "vendor:webhook",
            }),
          ]
        : [];
    const results: ChangeResult[] = [];
    const context = changeContext(vendor, {
      workflow: "real-time",
      jobId: "real-time",
      source: "vendor:webhook",
      asOf: message.receivedAt,
    });
    for (const item of intake(inputs, context)) {
      if ("refused" in item) results.push({ ...item.refused, eventId: message.eventId });
      else changes.push(item.change);
    }
    const written = changes.length > 0 ? await this.#deps.writer.writeBatch(changes) : [];
    results.push(...written);
    // Failed changes are retried with the message, not kept.
    const rejects = results.flatMap((result) => {
      const entry = rejectEntryOf(result);
      return entry?.outcome === "rejected" ? [entry] : [];
    });
    await this.keepRejects(message, rejects);
    throwIfFailed(written);
    return { vendorId: vendor.id, eventId: message.eventId, results };
  }
}
