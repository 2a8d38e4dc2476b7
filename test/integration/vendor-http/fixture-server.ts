import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A request the test server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a route answers: a response, or `"hang"` to never answer (the socket stays open until close). */
export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  | "hang";

/** A route: answers a request, or `undefined` to fall through to 404. */
export type Route = (request: ReceivedRequest) => Reply | undefined;

/** One recorded exchange of `test/fixtures/vendor-apis/`, its vendor URLs pointing at the test server. */
export interface Exchange {
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers?: Record<string, string>;
    readonly body?: unknown;
  };
  readonly response: { readonly status: number; readonly headers: Record<string, string>; readonly body: unknown };
}

/**
 * Loads a fixture exchange and rewrites its vendor origin (taken from its own request URL) to `origin`
 * everywhere in the file: request URL, `Link` headers, HAL links.
 *
 * @param path - relative to `test/fixtures/vendor-apis/`.
 */
export function loadExchange(path: string, origin: string): Exchange {
  const text = readFileSync(new URL(`../../fixtures/vendor-apis/${path}`, import.meta.url), "utf8");
  const vendorOrigin = new URL((JSON.parse(text) as Exchange).request.url).origin;
  return JSON.parse(text.replaceAll(vendorOrigin, origin)) as Exchange;
}

/** Query parameters as a sorted list of decoded pairs, so `%20` and `+` or parameter order do not matter. */
export function queryOf(url: URL | string): string[] {
  const parsed = typeof url === "string" ? new URL(url) : url;
  return [...parsed.searchParams.entries()].map(([name, value]) => `${name}=${value}`).sort();
}

/** Whether a request is the one an exchange recorded (method, path, query; GraphQL: the cursor variable). */
export function matches(exchange: Exchange, request: ReceivedRequest): boolean {
  const recorded = new URL(exchange.request.url);
  if (exchange.request.method !== request.method || recorded.pathname !== request.url.pathname) return false;
  if (JSON.stringify(queryOf(recorded)) !== JSON.stringify(queryOf(request.url))) return false;
  if (request.method !== "POST") return true;
  const wanted = (exchange.request.body as { variables?: { cursor?: unknown } } | undefined)?.variables?.cursor ?? null;
  const got = (JSON.parse(request.body || "{}") as { variables?: { cursor?: unknown } }).variables?.cursor ?? null;
  return wanted === got;
}

/** @returns a route serving the exchanges' responses to the requests they recorded. */
export function serve(exchanges: readonly Exchange[]): Route {
  return (request) => exchanges.find((exchange) => matches(exchange, request))?.response;
}

/** A local HTTP server on 127.0.0.1, port 0, answering from routes tried in order. */
export class FixtureServer {
  readonly requests: ReceivedRequest[] = [];
  #routes: Route[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #origin = "";

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const request: ReceivedRequest = {
          method: req.method ?? "GET",
          url: new URL(req.url ?? "/", this.#origin),
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(request);
        let reply: Reply | undefined;
        for (const route of this.#routes) {
          reply = route(request);
          if (reply) break;
        }
        respond(res, reply ?? { status: 404, body: { error: `no fixture for ${request.method} ${req.url}` } });
      });
    });
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
  }

  /** Starts a server on an ephemeral port. */
  static async start(): Promise<FixtureServer> {
    const server = new FixtureServer();
    await new Promise<void>((resolve) => server.#server.listen(0, "127.0.0.1", resolve));
    server.#origin = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  /** `http://127.0.0.1:<port>` */
  get origin(): string {
    return this.#origin;
  }

  /** Replaces the routes, tried in order. */
  route(...routes: Route[]): void {
    this.#routes = routes;
  }

  /** Requests to a path (API calls, not token calls). */
  requestsTo(pathname: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.url.pathname === pathname);
  }

  /** Stops the server, dropping hanging connections. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function respond(res: ServerResponse, reply: Reply): void {
  if (reply === "hang") return;
  const body = reply.body === undefined ? "" : typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
  const headers = Object.fromEntries(
    Object.entries(reply.headers ?? {}).filter(([name]) => name.toLowerCase() !== "content-length"),
  );
  const typed = Object.keys(headers).some((name) => name.toLowerCase() === "content-type");
  res.writeHead(reply.status, typed ? headers : { "content-type": "application/json", ...headers });
  res.end(body);
}

/** Returns `reply` for the first `times` requests the predicate matches, then falls through. */
export function times(count: number, predicate: (request: ReceivedRequest) => boolean, reply: Reply): Route {
  let left = count;
  return (request) => {
    if (left > 0 && predicate(request)) {
      left -= 1;
      return reply;
    }
    return undefined;
  };
}
