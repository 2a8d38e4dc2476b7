/**
 * A vendor's stored webhook signing secret: plain text, or `{"current": …, "previous": …}` during a
 * rotation (as a JSON string in Secrets Manager; as a string or an object in the sandbox's
 * secrets file). Read and checked here, once for AWS and the sandbox.
 */
import type { SecretFormat } from "./schemes/scheme.ts";

/** A stored secret value that cannot be used. The message says why in plain words, never the secret itself. */
export class SecretValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretValueError";
  }
}

/** The secrets a delivery may be signed with: the current one, and the previous one during a rotation. */
export interface SigningSecrets {
  readonly current: string;
  readonly previous?: string;
}

const ROTATION_KEYS = new Set(["current", "previous"]);

function fromObject(value: Record<string, unknown>): SigningSecrets {
  const unknown = Object.keys(value).filter((key) => !ROTATION_KEYS.has(key));
  if (unknown.length > 0) {
    throw new SecretValueError(`unknown key ${unknown.join(", ")} (a rotation holds only "current" and "previous")`);
  }
  if (typeof value.current !== "string" || value.current === "") {
    throw new SecretValueError('"current" must be the new secret, as non-empty text');
  }
  if (value.previous === undefined || value.previous === null || value.previous === "") {
    return { current: value.current };
  }
  if (typeof value.previous !== "string") throw new SecretValueError('"previous" must be text (or left out)');
  return { current: value.current, previous: value.previous };
}

/**
 * Reads a stored signing secret.
 *
 * @param value - the stored value: text (a plain secret, or JSON `{ current, previous }`), or that object.
 * @returns the secrets, current first.
 * @throws {SecretValueError} for no value, an empty one, JSON that does not parse, or a rotation object
 *   without a usable `current`.
 */
export function parseSigningSecrets(value: unknown): SigningSecrets {
  if (value === undefined || value === null) throw new SecretValueError("has no value");
  if (typeof value === "object" && !Array.isArray(value)) return fromObject(value as Record<string, unknown>);
  if (typeof value !== "string") throw new SecretValueError('must be text or {"current": …, "previous": …}');
  if (value.trim() === "") throw new SecretValueError("is empty");
  if (!value.trimStart().startsWith("{")) return { current: value };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new SecretValueError('starts with "{" but is not valid JSON (a rotation is {"current": …, "previous": …})');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new SecretValueError('must be text or {"current": …, "previous": …}');
  }
  return fromObject(parsed as Record<string, unknown>);
}

/** @returns the secrets as the verifier takes them: current first, then previous. */
export const secretList = (secrets: SigningSecrets): string[] =>
  secrets.previous === undefined ? [secrets.current] : [secrets.current, secrets.previous];

/** A secret of a rotation that is not in its scheme's format. */
export interface SigningSecretProblem {
  /** Which one: without a usable current secret no delivery verifies; a bad previous one only ends the overlap. */
  readonly secret: "current" | "previous";
  /** In plain words, naming which one ("the current secret is empty"). */
  readonly message: string;
}

/**
 * Checks both secrets against a scheme's format.
 * @returns the first problem (the current secret's first), or `undefined` when both are usable.
 */
export function signingSecretsProblem(secrets: SigningSecrets, format: SecretFormat): SigningSecretProblem | undefined {
  const current = format.problem(secrets.current);
  if (current) return { secret: "current", message: `the current secret ${current}` };
  const previous = secrets.previous === undefined ? undefined : format.problem(secrets.previous);
  return previous ? { secret: "previous", message: `the previous secret ${previous}` } : undefined;
}
