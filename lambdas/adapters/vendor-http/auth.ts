import { TransientError } from "../../core/errors.ts";
import type { PullAuth } from "../../core/pull/pull-config.ts";
import { VendorAuthError } from "./errors.ts";
import { requestedWaitMs } from "./rate-limit.ts";

/**
 * Reads a secret by name (Secrets Manager on AWS, the sandbox's secrets file locally). The connector
 * never imports an SDK; the handler passes this in, ideally caching (Powertools Parameters).
 *
 * @returns the secret's text.
 */
export type SecretPort = (secretName: string) => Promise<string>;

/** An OAuth access token with its expiry (epoch ms). */
interface CachedToken {
  readonly accessToken: string;
  readonly expiresAt: number;
}

/**
 * OAuth tokens shared by every pull of one connector instance, so a warm Lambda reuses its token
 * across invocations instead of asking the token endpoint each time.
 */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();

  /** @returns a token still valid at `now`, or `undefined`. */
  get(key: string, now: number): string | undefined {
    const token = this.#tokens.get(key);
    return token && token.expiresAt > now ? token.accessToken : undefined;
  }

  set(key: string, token: CachedToken): void {
    this.#tokens.set(key, token);
  }

  delete(key: string): void {
    this.#tokens.delete(key);
  }
}

/** A token is dropped this long before it expires, so a request never leaves with a dying token. */
const EXPIRY_MARGIN_MS = 60_000;
/** Lifetime assumed when the token endpoint sends no `expires_in`. */
const DEFAULT_TOKEN_LIFETIME_MS = 300_000;

interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

function parseClientCredentials(secret: string, endpoint: string): ClientCredentials {
  try {
    const parsed = JSON.parse(secret) as Partial<ClientCredentials>;
    if (typeof parsed.clientId === "string" && typeof parsed.clientSecret === "string") {
      return { clientId: parsed.clientId, clientSecret: parsed.clientSecret };
    }
  } catch {
    // Fall through to the error below; the secret's text is never echoed.
  }
  throw new VendorAuthError('the OAuth secret must be JSON {"clientId": "…", "clientSecret": "…"}', { endpoint });
}

/** Origin and path of a URL: safe to name in errors and logs. */
export function endpointOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** What an {@link Authenticator} needs: the secret port, fetch, a clock and the connector's token cache. */
export interface AuthenticatorDeps {
  readonly secrets: SecretPort;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly tokens: TokenCache;
}

/**
 * Produces the credential headers of one pull's requests from the channel's `auth` and its secret.
 * The secret is read once per pull (one invocation), OAuth tokens are cached across pulls.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4 (client credentials grant)
 */
export class Authenticator {
  readonly #auth: PullAuth;
  readonly #secretName: string | undefined;
  readonly #deps: AuthenticatorDeps;
  #secret: Promise<string> | undefined;

  constructor(auth: PullAuth, secretName: string | undefined, deps: AuthenticatorDeps) {
    this.#auth = auth;
    this.#secretName = secretName;
    this.#deps = deps;
  }

  #readSecret(): Promise<string> {
    if (this.#secretName === undefined) {
      return Promise.reject(new VendorAuthError("auth needs a secretName", { endpoint: "(config)" }));
    }
    this.#secret ??= this.#deps.secrets(this.#secretName);
    return this.#secret;
  }

  /**
   * @param signal - aborts a token request.
   * @returns headers to add to an API request.
   * @throws {VendorAuthError} when the token endpoint refuses the credentials or the secret is malformed.
   * @throws {TransientError} when the token endpoint is throttled, failing (5xx) or unreachable.
   */
  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    const auth = this.#auth;
    switch (auth.type) {
      case "none":
        return {};
      case "api-key-header":
        return { [auth.header]: `${auth.prefix}${await this.#readSecret()}` };
      case "bearer":
        return { authorization: `Bearer ${await this.#readSecret()}` };
      case "basic":
        return { authorization: `Basic ${Buffer.from(await this.#readSecret(), "utf8").toString("base64")}` };
      case "oauth2-client-credentials":
        return { authorization: `Bearer ${await this.#token(auth, signal)}` };
    }
  }

  /** Forgets the cached token after the API rejected it (401), so the next request fetches a new one. */
  async invalidate(): Promise<void> {
    if (this.#auth.type !== "oauth2-client-credentials") return;
    this.#deps.tokens.delete(this.#cacheKey(this.#auth, await this.#credentials(this.#auth)));
  }

  /** Whether a 401 may be cured by fetching a new token. */
  get refreshable(): boolean {
    return this.#auth.type === "oauth2-client-credentials";
  }

  async #credentials(auth: Extract<PullAuth, { type: "oauth2-client-credentials" }>): Promise<ClientCredentials> {
    return parseClientCredentials(await this.#readSecret(), endpointOf(auth.tokenUrl));
  }

  #cacheKey(auth: Extract<PullAuth, { type: "oauth2-client-credentials" }>, credentials: ClientCredentials): string {
    return JSON.stringify([auth.tokenUrl, credentials.clientId, auth.scope ?? ""]);
  }

  async #token(auth: Extract<PullAuth, { type: "oauth2-client-credentials" }>, signal: AbortSignal): Promise<string> {
    const credentials = await this.#credentials(auth);
    const key = this.#cacheKey(auth, credentials);
    const cached = this.#deps.tokens.get(key, this.#deps.now());
    if (cached) return cached;
    const endpoint = endpointOf(auth.tokenUrl);
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (auth.scope) form.set("scope", auth.scope);
    // RFC 6749 §2.3.1: form-encode id and secret before Basic encoding.
    const basic = Buffer.from(
      `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
    ).toString("base64");
    let response: Response;
    let text: string;
    try {
      response = await this.#deps.fetch(auth.tokenUrl, {
        method: "POST",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted && (signal.reason as Error | undefined)?.name !== "TimeoutError") throw error;
      throw new TransientError(`token endpoint ${endpoint} unreachable`, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      throw new TransientError(`token endpoint ${endpoint} answered HTTP ${response.status}`, {
        retryAfterMs: requestedWaitMs(response.headers, this.#deps.now()),
      });
    }
    let body: { access_token?: unknown; expires_in?: unknown; token_type?: unknown; error?: unknown } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Reported below without the body.
    }
    if (!response.ok) {
      const code = typeof body.error === "string" ? ` ${body.error}` : "";
      throw new VendorAuthError(
        `token endpoint ${endpoint} refused the client credentials (HTTP ${response.status}${code})`,
        {
          status: response.status,
          endpoint,
        },
      );
    }
    if (typeof body.access_token !== "string" || body.access_token === "") {
      throw new VendorAuthError(`token endpoint ${endpoint} sent no access_token`, {
        status: response.status,
        endpoint,
      });
    }
    if (typeof body.token_type === "string" && body.token_type.toLowerCase() !== "bearer") {
      throw new VendorAuthError(
        `token endpoint ${endpoint} sent a ${body.token_type} token; only bearer is supported`,
        {
          status: response.status,
          endpoint,
        },
      );
    }
    const lifetime =
      typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in * 1000 : DEFAULT_TOKEN_LIFETIME_MS;
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetime / 10);
    this.#deps.tokens.set(key, { accessToken: body.access_token, expiresAt: this.#deps.now() + lifetime - margin });
    return body.access_token;
  }
}
