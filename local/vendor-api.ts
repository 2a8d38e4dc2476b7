import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import type { LocalSecrets } from "./local-secrets.ts";

/** Where the recorded vendor API exchanges the sandbox serves live (provenance in its README). */
export const VENDOR_API_DIR = fileURLToPath(new URL("../examples/vendor-apis/", import.meta.url));

/** One recorded exchange: `{ request: { method, url, headers }, response: { status, headers, body } }`. */
interface Exchange {
  readonly request: { readonly method: string; readonly url: string };
  readonly response: { readonly status: number; readonly headers: Record<string, string>; readonly body: unknown };
}

/** The route prefix under which a vendor origin is served: `/vendor-apis/<host>/…`. */
const PREFIX = "/vendor-apis/";

/**
 * The sandbox's stand-in for vendor APIs: serves the recorded pages of `examples/vendor-apis/` over
 * real HTTP, so the pull connector pages through them exactly as it pages through the vendor (Link
 * headers, status codes, rate-limit headers as recorded).
 *
 * - A request matches an exchange by method, host, path and query, ignoring the vendor's incremental
 *   filter parameter (the recorded pages are the answer whatever the watermark).
 * - A recorded 429 is answered once per sandbox start for its URL, then the page behind it: a pull
 *   shows the rate-limit hand-over once.
 * - Credentials are checked: a vendor whose `channels.pull` points at the recorded host must send the
 *   header its auth names with the sandbox's secret (`<data-dir>/secrets.json`), else 401.
 */
export class LocalVendorApi {
  readonly #exchanges: Exchange[];
  /** The vendors, read at each request (a reload of `serve` adds or changes them). */
  readonly #vendors: { values(): Iterable<VendorConfig> };
  readonly #secrets: LocalSecrets;
  readonly #throttledOnce = new Set<string>();
  #server: Server | undefined;
  #origin: Promise<string> | undefined;

  /** @param vendors - read at each request, so a live map follows `serve`'s reloads. */
  constructor(vendors: { values(): Iterable<VendorConfig> }, secrets: LocalSecrets, dir: string = VENDOR_API_DIR) {
    this.#vendors = vendors;
    this.#secrets = secrets;
    this.#exchanges = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".json"))
      .map((entry) => JSON.parse(readFileSync(join(entry.parentPath, entry.name), "utf8")) as Exchange);
  }

  /** Vendor origins (`https://host`) this API answers for. */
  get origins(): string[] {
    return [...new Set(this.#exchanges.map((exchange) => new URL(exchange.request.url).origin))];
  }

  /** Starts the server on a free loopback port (once). @returns its origin. */
  origin(): Promise<string> {
    this.#origin ??= new Promise((resolve, reject) => {
      const server = createServer((request, response) => {
        this.handle(request, response).catch((error: unknown) => {
          response.writeHead(500, { "content-type": "application/json" });
          response.end(JSON.stringify({ error: String(error) }));
        });
      });
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      this.#server = server;
    });
    return this.#origin;
  }

  /**
   * A `fetch` that sends requests for a recorded vendor origin to this API (as `/vendor-apis/<host>/…`)
   * and every other request on unchanged: the pull connectors' fetch in the sandbox.
   */
  fetch(): typeof fetch {
    const served = new Set(this.origins);
    return async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (!served.has(url.origin)) return globalThis.fetch(input, init);
      const local = `${await this.origin()}${PREFIX}${url.host}${url.pathname}${url.search}`;
      return globalThis.fetch(local, init);
    };
  }

  /** Answers one request (the server's handler). */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const typed = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
      response.writeHead(status, typed ? headers : { "content-type": "application/json", ...headers });
      response.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const path = request.url ?? "/";
    if (!path.startsWith(PREFIX)) return send(404, { errors: "Not Found" });
    const rest = path.slice(PREFIX.length);
    const host = rest.slice(0, rest.indexOf("/") < 0 ? rest.length : rest.indexOf("/"));
    const wanted = new URL(`https://${host}${rest.slice(host.length) || "/"}`);
    const vendor = [...this.#vendors.values()].find(
      (v) => v.channels.pull && new URL(v.channels.pull.baseUrl).host === host,
    );
    const pull = vendor?.channels.pull;
    if (pull?.secretName && pull.auth.type !== "none") {
      const expected = await this.#secrets.text(pull.secretName).catch(() => undefined);
      const header =
        pull.auth.type === "api-key-header"
          ? request.headers[pull.auth.header.toLowerCase()]
          : request.headers.authorization?.replace(/^(Bearer|Basic) /, "");
      const given = pull.auth.type === "basic" && header ? Buffer.from(String(header), "base64").toString() : header;
      const prefix = pull.auth.type === "api-key-header" ? pull.auth.prefix : "";
      if (expected === undefined || given !== `${prefix}${expected}`) {
        return send(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
      }
    }
    const ignored = new Set(pull?.incremental ? [pull.incremental.param] : []);
    const query = (url: URL) =>
      [...url.searchParams.entries()]
        .filter(([name]) => !ignored.has(name))
        .map(([name, value]) => `${name}=${value}`)
        .sort()
        .join("&");
    const matching = this.#exchanges.filter((exchange) => {
      const recorded = new URL(exchange.request.url);
      return (
        exchange.request.method === (request.method ?? "GET") &&
        recorded.host === wanted.host &&
        recorded.pathname === wanted.pathname &&
        query(recorded) === query(wanted)
      );
    });
    const key = `${wanted.host}${wanted.pathname}?${query(wanted)}`;
    const throttle = matching.find((exchange) => exchange.response.status === 429);
    const page = matching.find((exchange) => exchange.response.status !== 429);
    const exchange = throttle && !this.#throttledOnce.has(key) ? throttle : page;
    if (!exchange) return send(404, { errors: "Not Found" });
    if (exchange === throttle) this.#throttledOnce.add(key);
    return send(exchange.response.status, exchange.response.body, exchange.response.headers);
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
