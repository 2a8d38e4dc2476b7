import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { jobRoutes } from "../lambdas/admin-api/admin-api.ts";
import { localAdminRouter } from "./admin-routes.ts";
import { ensureAdminToken, refuseAdminRequest } from "./admin-token.ts";
import { answerForwardedCli, type CliRunner } from "./forwarded-cli.ts";
import { httpApiEvent } from "./http-api-events.ts";
import { type Sandbox, stderrLog } from "./sandbox.ts";

/** API Gateway's payload limit; larger requests are refused with 413 before the function runs. */
export const API_GATEWAY_MAX_BYTES = 10 * 1024 * 1024;

export type { CliRunner } from "./forwarded-cli.ts";

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

/**
 * The HTTP API event API Gateway (payload format 2.0) would hand the ingest function: header names
 * lower-cased, repeated headers comma-joined, the body base64-encoded with `isBase64Encoded: true`
 * so the function verifies the exact bytes.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export function toHttpApiEvent(request: IncomingMessage, body: Buffer, vendorId: string): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const url = new URL(request.url ?? "/", "http://localhost");
  return httpApiEvent({
    routeKey: "POST /webhooks/{vendorId}",
    path: url.pathname,
    query: url.search.replace(/^\?/, ""),
    pathParameters: { vendorId },
    headers,
    body,
    sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
  });
}

/**
 * The sandbox's local API: the webhook route (the same ingest handler as on AWS), the admin routes
 * (the admin API's handler, without IAM), a health check, and `/_cli`, where CLI commands run while
 * `serve` owns the data directory. The admin routes and `/_cli` need the data directory's admin token
 * and refuse browsers' cross-site requests (a web page must not pause vendors); the webhook route is
 * open, as on AWS (signatures protect it).
 */
export function createLocalServer(sandbox: Sandbox, runCli: CliRunner): Server {
  const admin = localAdminRouter(jobRoutes(sandbox.scheduled.jobs), stderrLog);
  const token = ensureAdminToken(sandbox.dataDir);
  return createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname.startsWith("/admin/") || url.pathname === "/_cli") {
        const refused = refuseAdminRequest(request.headers, token, `http://${request.headers.host ?? ""}`);
        if (refused) return send(response, refused.statusCode, { error: refused.message }, refused.headers);
      }
      if (url.pathname.startsWith("/admin/")) {
        const body = await readBody(request, 1024 * 1024);
        const answer = await admin(request.method ?? "GET", url, body?.toString("utf8"));
        if (answer) return send(response, answer.statusCode, answer.body, answer.headers);
      }
      const webhook = /^\/webhooks\/([^/]+)\/?$/.exec(url.pathname);
      if (webhook) {
        if (request.method !== "POST") return methodNotAllowed(response, "POST");
        const vendorId = decodeSegment(webhook[1] as string);
        if (vendorId === undefined) {
          return send(response, 400, { error: `malformed percent-escape in the path ${JSON.stringify(url.pathname)}` });
        }
        const body = await readBody(request, API_GATEWAY_MAX_BYTES);
        if (!body) return send(response, 413, { message: "Request Entity Too Large" });
        const result = await sandbox.ingest(toHttpApiEvent(request, body, vendorId));
        return send(
          response,
          result.statusCode ?? 200,
          result.body ?? "",
          (result.headers ?? {}) as Record<string, string>,
        );
      }
      if (url.pathname === "/_cli") {
        if (request.method !== "POST") return methodNotAllowed(response, "POST");
        const command = cliCommand(await readBody(request, 1024 * 1024));
        if ("error" in command) return send(response, 400, { error: command.error });
        return await answerForwardedCli(command, response, runCli);
      }
      if (url.pathname === "/health") return send(response, 200, { ok: true, dataDir: sandbox.dataDir });
      return send(response, 404, { message: "Not Found" });
    } catch (error) {
      return send(response, 500, { message: "Internal Server Error", error: String(error) });
    }
  });
}

/** @returns a decoded path segment, or `undefined` for a malformed percent-escape (`%ZZ`). */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  send(response, 405, { message: "Method Not Allowed", allow }, { allow });
}

/** `POST /_cli`'s body: `{"argv": [strings], "cwd"?: string}`, or what is wrong with it. */
function cliCommand(
  body: Buffer | undefined,
): { argv: string[]; cwd: string | undefined; progress: boolean } | { error: string } {
  if (!body) return { error: "request body over 1 MiB" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return { error: `request body is not JSON: ${(error as Error).message}` };
  }
  const { argv, cwd, progress } = (parsed ?? {}) as { argv?: unknown; cwd?: unknown; progress?: unknown };
  if (!Array.isArray(argv) || !argv.every((arg) => typeof arg === "string")) {
    return { error: "argv must be a list of strings" };
  }
  if (cwd !== undefined && typeof cwd !== "string") return { error: "cwd must be a string" };
  return { argv, cwd, progress: progress === true };
}

/** Starts listening. @returns the base URL. */
export async function listen(server: Server, port: number, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return `http://${host}:${address.port}`;
}
