/**
 * Typed errors, one class per handling rule of docs/architecture.md ("Errors and retries"). Callers decide what to do with
 * `instanceof` (retry, reject, alarm), never by matching message text.
 */

/** The error kinds, used as the bounded `ErrorType` metric dimension. */
export type ErrorKind = "transient" | "validation" | "business" | "system";

/** Base class: every error this project throws on purpose carries its kind. */
export abstract class VendorSyncError extends Error {
  abstract readonly kind: ErrorKind;
  /** Whether retrying the same input can succeed. */
  abstract readonly retryable: boolean;
}

export interface ValidationErrorDetails {
  /** Dotted path of the offending field (`"attributes.amount"`), or a CSV header name. */
  readonly field?: string;
  /** The offending value, as received (never logged at INFO for order data). */
  readonly value?: unknown;
  /** 1-based source line for file input. */
  readonly line?: number;
  readonly cause?: unknown;
}

/** Malformed input: missing key, bad currency, not a number. Never retried; the change is rejected with its reason. */
export class ValidationError extends VendorSyncError {
  readonly kind = "validation" as const;
  readonly retryable = false;
  readonly field: string | undefined;
  readonly value: unknown;
  readonly line: number | undefined;

  constructor(message: string, details: ValidationErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = "ValidationError";
    this.field = details.field;
    this.value = details.value;
    this.line = details.line;
  }
}

/** No vendor is configured with this id (HTTP 404 on the admin API). */
export class UnknownVendorError extends ValidationError {
  readonly vendorId: string;

  /** @param known - the configured vendor ids, named in the message. */
  constructor(vendorId: string, known: readonly string[] = []) {
    super(`unknown vendor ${JSON.stringify(vendorId)}${known.length > 0 ? ` (configured: ${known.join(", ")})` : ""}`, {
      field: "vendorId",
      value: vendorId,
    });
    this.name = "UnknownVendorError";
    this.vendorId = vendorId;
  }
}

/** A record that would exceed DynamoDB's 400 KB item limit. Rejected, not retried. */
export class ItemTooLargeError extends ValidationError {
  /** Estimated item size in bytes. */
  readonly sizeBytes: number;
  /** The limit it exceeds, in bytes. */
  readonly limitBytes: number;

  constructor(sizeBytes: number, limitBytes: number, details: ValidationErrorDetails = {}) {
    super(
      `record would be ${sizeBytes} bytes, over the DynamoDB item limit of ${limitBytes} bytes${details.field ? ` (largest field: ${details.field})` : ""}`,
      details,
    );
    this.name = "ItemTooLargeError";
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/** A vendor business rule refused the change (for example negative stock where forbidden). Never retried. */
export class BusinessRuleError extends VendorSyncError {
  readonly kind = "business" as const;
  readonly retryable = false;
  /** The rule that refused the change (`"negative-stock"`, `"price-guard"`). */
  readonly rule: string;
  readonly field: string | undefined;

  constructor(rule: string, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "BusinessRuleError";
    this.rule = rule;
    this.field = options.field;
  }
}

/** Timeouts, throttling, vendor 5xx/429. Retried with exponential backoff and full jitter. */
export class TransientError extends VendorSyncError {
  readonly kind = "transient" as const;
  readonly retryable = true;
  /** A delay the other side asked for (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = "TransientError";
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A storage, queue or programming failure. Retried, and alarmed on. */
export class SystemError extends VendorSyncError {
  readonly kind = "system" as const;
  readonly retryable = true;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "SystemError";
  }
}

/**
 * A vendor's deployed configuration cannot work at run time (its signing secret is malformed or not
 * in its scheme's format, its configuration file is invalid): not the sender's fault. A webhook
 * answers 503 with Retry-After, so the vendor's retries succeed once an operator fixes it; it is
 * logged as a configuration fault naming the vendor and counted (`ConfigurationFaults`, alarmed).
 */
export class ConfigurationFaultError extends SystemError {
  readonly vendorId: string;
  /** What is wrong, in plain words (never a secret's value). */
  readonly problem: string;

  constructor(vendorId: string, problem: string, options: { cause?: unknown } = {}) {
    super(`configuration fault for vendor ${vendorId}: ${problem}`, options);
    this.name = "ConfigurationFaultError";
    this.vendorId = vendorId;
    this.problem = problem;
  }
}

/**
 * An invalid vendor or stage configuration. Names the file, and each problem with its field (a
 * dotted path; empty for the top level): `config/vendors/acme.json: channels.webhook: unknown key
 * signatureHedaer (did you mean signatureHeader?)`, one line per problem.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly issues: readonly { readonly field: string; readonly message: string }[];

  constructor(file: string, issues: readonly { field: string; message: string }[]) {
    super(issues.map((issue) => `${file}: ${issue.field ? `${issue.field}: ` : ""}${issue.message}`).join("\n"));
    this.name = "ConfigError";
    this.file = file;
    this.issues = issues;
  }

  /** One error for several files' errors (synth reports every invalid file at once). */
  static combine(errors: readonly ConfigError[]): ConfigError {
    const combined = new ConfigError(
      errors.map((error) => error.file).join(", "),
      errors.flatMap((error) => error.issues),
    );
    combined.message = errors.map((error) => error.message).join("\n");
    return combined;
  }
}

/** Someone else changed the record first; the loser re-reads or reports a clear conflict. */
export class ConcurrentUpdateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConcurrentUpdateError";
  }
}

/** @returns the error kind for metrics and handling, treating unknown errors as system errors. */
export function errorKind(error: unknown): ErrorKind {
  return error instanceof VendorSyncError ? error.kind : "system";
}
