import type { ErrorBody } from "../lambdas/runtime/http-errors.ts";

/**
 * Errors a remote target reports to the CLI (exit 1, printed plainly). They live apart from the
 * clients that throw them so the CLI recognises them without loading the clients (and the AWS SDK).
 */

/** A refusal reported by the admin API or the on-demand function (409 already running, 404 unknown job…). */
export class RemoteJobError extends Error {
  readonly body: ErrorBody;

  constructor(body: ErrorBody) {
    super(body.message);
    this.name = "RemoteJobError";
    this.body = body;
  }
}

/** The deployed admin-operations function's error, as the CLI reports it (exit 1). */
export class RemoteOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RemoteOperationError";
  }
}
