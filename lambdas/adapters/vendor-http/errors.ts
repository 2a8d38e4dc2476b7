import { ValidationError } from "../../core/errors.ts";
import { VendorUnavailableError as CoreVendorUnavailableError } from "../../core/pull/connector.ts";
import type { PullCheckpoint } from "./checkpoint.ts";

/**
 * The vendor answered with an HTTP status that retrying cannot fix (400, 401, 403, 404, 422…), or
 * with a body that is not the JSON the config describes. Not retried: credentials, config or the
 * vendor's API must change. The message names the status and the URL without its query (which may
 * carry filters), never the body (which may carry personal data).
 */
export class VendorHttpError extends ValidationError {
  /** HTTP status, or `undefined` when the body, not the status, was wrong. */
  readonly status: number | undefined;
  /** Origin and path of the request. */
  readonly endpoint: string;

  constructor(message: string, options: { status?: number; endpoint: string; cause?: unknown }) {
    super(message, { field: "channels.pull", cause: options.cause });
    this.name = "VendorHttpError";
    this.status = options.status;
    this.endpoint = options.endpoint;
  }
}

/** The token endpoint or the secret refused the configured credentials. Not retried. */
export class VendorAuthError extends VendorHttpError {
  constructor(message: string, options: { status?: number; endpoint: string; cause?: unknown }) {
    super(message, options);
    this.name = "VendorAuthError";
  }
}

/**
 * A page kept failing after every retry (the core's error, typed with this connector's checkpoint).
 * @see ../../core/pull/connector.ts
 */
export const VendorUnavailableError = CoreVendorUnavailableError;
export type VendorUnavailableError = CoreVendorUnavailableError<PullCheckpoint>;

/**
 * The vendor handed back a page position already visited in this run (a cursor or next link that
 * repeats, or page N returning page N−1's records): following it would loop forever. Not retried.
 */
export class PagingLoopError extends ValidationError {
  /** The repeating position (URL, cursor, page or key), as JSON. */
  readonly position: string;
  /** Pages fetched in this run before the loop was seen. */
  readonly pagesFetched: number;

  constructor(message: string, options: { position: string; pagesFetched: number }) {
    super(message, { field: "channels.pull.paging", value: options.position });
    this.name = "PagingLoopError";
    this.position = options.position;
    this.pagesFetched = options.pagesFetched;
  }
}

/** A checkpoint that does not belong to this connector's config (another paging style or version). */
export class CheckpointMismatchError extends ValidationError {
  constructor(message: string) {
    super(message, { field: "checkpoint" });
    this.name = "CheckpointMismatchError";
  }
}
