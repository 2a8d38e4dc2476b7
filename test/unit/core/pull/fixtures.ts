import { readFileSync } from "node:fs";

/** One recorded exchange from `test/fixtures/vendor-apis/` (see PROVENANCE.md there). */
export interface Exchange {
  readonly request: { readonly method: string; readonly url: string; readonly body?: unknown };
  readonly response: { readonly status: number; readonly headers: Record<string, string>; readonly body: unknown };
}

/** @param path - relative to `test/fixtures/vendor-apis/`, e.g. `"shopify-rest/products.page-1.json"`. */
export function exchange(path: string): Exchange {
  return JSON.parse(
    readFileSync(new URL(`../../../fixtures/vendor-apis/${path}`, import.meta.url), "utf8"),
  ) as Exchange;
}
