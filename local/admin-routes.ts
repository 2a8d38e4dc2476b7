import { type AdminRoutes, makeHandler } from "../lambdas/admin-api/admin-api.ts";
import type { Log } from "../lambdas/core/ports.ts";
import { iamAuthorizedHttpApiEvent } from "./http-api-events.ts";

/** A route key's path as a pattern with named groups (`/admin/jobs/{jobId}` → `^/admin/jobs/(?<jobId>[^/]+)$`). */
function pattern(path: string): RegExp {
  const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, "(?<$1>[^/]+)");
  return new RegExp(`^${source}$`);
}

/**
 * The admin routes in the sandbox's local server: the same route table and handler as the admin
 * API's function, reached without IAM (the server listens on loopback only; the principal is `local`).
 *
 * @returns a router: the answer (405 with `Allow` when the path is a route's but the method is not),
 * or `undefined` when no admin route matches.
 */
export function localAdminRouter(routes: AdminRoutes, log: Log) {
  const handler = makeHandler({ routes, log });
  const table = Object.keys(routes).map((routeKey) => {
    const [method = "GET", path = "/"] = routeKey.split(" ");
    return { routeKey, method, path: pattern(path) };
  });
  return async (
    method: string,
    url: URL,
    body: string | undefined,
  ): Promise<{ statusCode: number; body: string; headers?: Record<string, string> } | undefined> => {
    const allowed = table.filter((route) => route.path.test(url.pathname)).map((route) => route.method);
    if (allowed.length > 0 && !allowed.includes(method)) {
      const allow = [...new Set(allowed)].join(", ");
      return { statusCode: 405, body: JSON.stringify({ message: "Method Not Allowed", allow }), headers: { allow } };
    }
    for (const route of table) {
      const match = route.method === method ? route.path.exec(url.pathname) : null;
      if (!match) continue;
      const event = iamAuthorizedHttpApiEvent({
        routeKey: route.routeKey,
        path: url.pathname,
        query: url.search.replace(/^\?/, ""),
        pathParameters: { ...match.groups },
        ...(body ? { body } : {}),
      });
      const result = await handler(event);
      return { statusCode: result.statusCode ?? 200, body: result.body ?? "" };
    }
    return undefined;
  };
}
