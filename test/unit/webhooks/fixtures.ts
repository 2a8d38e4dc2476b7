import { readFileSync } from "node:fs";
import type { WebhookHeaders } from "../../../lambdas/core/webhooks/headers.ts";

/** The project's own webhook fixtures (see test/fixtures/webhooks/PROVENANCE.md). */
const ROOT = new URL("../../fixtures/webhooks/", import.meta.url);

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
