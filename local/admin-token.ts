import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { timingSafeEqualText } from "../lambdas/core/webhooks/constant-time.ts";

/** The file under the data directory holding the token of `serve`'s admin and `/_cli` routes. */
export const ADMIN_TOKEN_FILE = "admin-token";

/** @returns the data directory's admin token, or `undefined` when it has none yet. */
export function readAdminToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, ADMIN_TOKEN_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * @returns the data directory's admin token, creating it on first use (32 random bytes, hex, a file
 * only its owner can read — like `secrets.json`, never committed).
 */
export function ensureAdminToken(dataDir: string): string {
  const existing = readAdminToken(dataDir);
  if (existing) return existing;
  const token = randomBytes(32).toString("hex");
  writeFileSync(join(dataDir, ADMIN_TOKEN_FILE), `${token}\n`, { mode: 0o600 });
  return token;
}

/** The header a local client sends the token in. */
export const authorizationHeader = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/** Why a request to an admin or `/_cli` route was refused. */
export interface Refusal {
  readonly statusCode: 401 | 403;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

/**
 * Checks a request to the sandbox's admin or `/_cli` routes: a browser's cross-site request is
 * refused (`Origin` of another site, or `Sec-Fetch-Site: cross-site`/`same-site`), and the data
 * directory's token must come as `Authorization: Bearer <token>` (compared in constant time).
 *
 * @param ownOrigin - the server's own origin (`http://127.0.0.1:4580`).
 * @returns why it is refused, or `undefined` when it may run.
 * @see https://fetch.spec.whatwg.org/#origin-header
 * @see https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header
 */
export function refuseAdminRequest(
  headers: IncomingHttpHeaders,
  token: string,
  ownOrigin: string,
): Refusal | undefined {
  const origin = headers.origin;
  const site = headers["sec-fetch-site"];
  if ((origin !== undefined && origin !== ownOrigin) || site === "cross-site" || site === "same-site") {
    return { statusCode: 403, message: "cross-origin requests to the sandbox's admin routes are refused" };
  }
  const presented = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1] ?? "";
  if (!timingSafeEqualText(presented, token)) {
    return {
      statusCode: 401,
      message: "missing or wrong admin token: send Authorization: Bearer <the token in <data-dir>/admin-token>",
      headers: { "www-authenticate": 'Bearer realm="vendor-sync sandbox"' },
    };
  }
  return undefined;
}
