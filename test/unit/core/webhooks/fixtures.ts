import { readFileSync } from "node:fs";
import { type Change, toChange } from "../../../../lambdas/core/change.ts";
import type { ChangeInput } from "../../../../lambdas/core/change-input.ts";
import type { WebhookHeaders } from "../../../../lambdas/core/webhooks/headers.ts";
import type {
  PlatformKeyIndex,
  PlatformRef,
  WebhookMapping,
  WebhookMappingContext,
} from "../../../../lambdas/core/webhooks/results.ts";

/** The project's own webhook fixtures (see test/fixtures/webhooks/PROVENANCE.md). */
const ROOT = new URL("../../../fixtures/webhooks/", import.meta.url);

/** @returns a fixture's exact bytes, never re-serialized. */
export function fixtureBytes(path: string): Buffer {
  return readFileSync(new URL(path, ROOT));
}

/** @returns a fixture headers file as a header map. */
export function fixtureHeaders(path: string): WebhookHeaders {
  return JSON.parse(fixtureBytes(path).toString("utf8")) as WebhookHeaders;
}

/** One case of `vectors.json`. */
export interface SignatureVector {
  readonly name: string;
  readonly scheme:
    | "shopify"
    | "woocommerce"
    | "woocommerce-ping"
    | "custom-header"
    | "stripe"
    | "stripe-wrong-key-derivation"
    | "standard-webhooks"
    | "standard-webhooks-wrong-key-derivation";
  readonly secret: string;
  readonly body: string;
  readonly headers: string;
  readonly headerName?: string;
  /** Verifier clock, Unix seconds. */
  readonly now?: number;
  readonly toleranceSeconds?: number;
  readonly expected: boolean;
}

export function signatureVectors(): SignatureVector[] {
  return (JSON.parse(fixtureBytes("vectors.json").toString("utf8")) as { vectors: SignatureVector[] }).vectors;
}

/** Fixture send time used throughout the fixtures: 2025-03-14T09:26:53Z, epoch ms. */
export const FIXTURE_SENT_AT_MS = 1_741_944_413_000;

/** A key index answering from a fixed map of `"<type>:<id>"` → keys, as the records adapter would. */
export function keyIndexOf(
  entries: Record<string, { entityKey: string; variantKeys?: string[] }> = {},
): PlatformKeyIndex & { asked: PlatformRef[] } {
  const asked: PlatformRef[] = [];
  return {
    asked,
    find: async (ref) => {
      asked.push(ref);
      return entries[`${ref.type}:${ref.id}`];
    },
  };
}

/** The mapping context of a delivery with these fixture headers. */
export function contextFor(
  headersPath: string | undefined,
  keyIndex: PlatformKeyIndex = keyIndexOf(),
  receivedAt = FIXTURE_SENT_AT_MS + 60_000,
): WebhookMappingContext {
  return { headers: headersPath ? fixtureHeaders(headersPath) : {}, receivedAt, keyIndex };
}

/** Builds the write path's change from a mapped input, as the processor will. */
export function canonical(input: ChangeInput, defaultCurrency = "USD"): Change {
  return toChange(input, {
    vendorId: "test-vendor",
    jobId: "job-1",
    workflow: "real-time",
    defaultSource: "vendor:webhook",
    defaultCurrency,
    timeZone: "UTC",
  });
}

/** @returns the changes of a `changes` mapping (fails the test otherwise). */
export function changesOf(mapping: WebhookMapping): ChangeInput[] {
  if (mapping.kind !== "changes") throw new Error(`expected changes, got ${JSON.stringify(mapping)}`);
  return mapping.changes;
}
