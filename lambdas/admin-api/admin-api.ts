/**
 * admin-api — the admin HTTP API's function (IAM-authorised routes under `/admin`). Each route is a
 * small async function in a route table keyed by API Gateway's route key, so other features add their
 * routes (conflicts, DLQ, pause) by merging their table into this one. Errors map to status codes in
 * one place (`errorBody`).
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ValidationError } from "../core/errors.ts";
import type { SyncJobs } from "../core/jobs/sync-jobs.ts";
import type { Log } from "../core/ports.ts";
import { errorBody } from "../runtime/http-errors.ts";
import { runOperation } from "../sync-jobs/operations.ts";

/** A request as the routes see it. */
export interface AdminRequest {
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The JSON body, parsed (`undefined` when there is none). */
  readonly body: unknown;
  /** The caller's IAM principal ARN (API Gateway's IAM authorizer). */
  readonly principal: string | undefined;
}

/** A route's answer. */
export interface AdminResponse {
  readonly statusCode: number;
  readonly body: unknown;
}

/** Route key (`"GET /admin/jobs/{jobId}"`) → handler. */
export type AdminRoutes = Readonly<Record<string, (request: AdminRequest) => Promise<AdminResponse>>>;

/** The route keys of the sync-job routes (the CDK construct and the sandbox's server use them). */
export const JOB_ROUTES = {
  startSync: "POST /admin/vendors/{vendorId}/syncs",
  getJob: "GET /admin/jobs/{jobId}",
  listJobs: "GET /admin/vendors/{vendorId}/jobs",
  listAllJobs: "GET /admin/jobs",
  cancelJob: "POST /admin/jobs/{jobId}/cancel",
} as const;

const required = (request: AdminRequest, name: string): string => {
  const value = request.pathParameters[name];
  if (!value) throw new ValidationError(`missing path parameter ${name}`, { field: name });
  return decodeURIComponent(value);
};

const bodyObject = (request: AdminRequest): Record<string, unknown> => {
  if (request.body === undefined || request.body === null) return {};
  if (typeof request.body !== "object" || Array.isArray(request.body)) {
    throw new ValidationError("the body must be a JSON object", { field: "body" });
  }
  return request.body as Record<string, unknown>;
};

/**
 * The sync-job routes:
 * - `POST /admin/vendors/{vendorId}/syncs` `{ mode?: "full" | "incremental", dryRun?: boolean }` → 202 `{ job }`
 *   (409 with `runningJobId` when the vendor's job is still running);
 * - `GET /admin/jobs/{jobId}` → 200 `{ job }` (status, counts, heartbeat, error summary);
 * - `GET /admin/vendors/{vendorId}/jobs?since=<ISO 8601>&limit=<n>` → 200 `{ jobs }`, newest first;
 * - `GET /admin/jobs?since=…&limit=…` → 200 `{ jobs }` of every vendor, newest first;
 * - `POST /admin/jobs/{jobId}/cancel` → 202 `{ job }` (CANCELLED, or RUNNING with `cancelRequestedAt`).
 */
export function jobRoutes(jobs: SyncJobs): AdminRoutes {
  const list = async (request: AdminRequest, vendorId: string | undefined): Promise<AdminResponse> => {
    const limit = request.query.limit === undefined ? undefined : Number(request.query.limit);
    if (limit !== undefined && !Number.isInteger(limit)) {
      throw new ValidationError("limit must be a whole number", { field: "limit" });
    }
    return {
      statusCode: 200,
      body: await runOperation(jobs, {
        operation: "listJobs",
        ...(vendorId ? { vendorId } : {}),
        ...(request.query.since ? { since: request.query.since } : {}),
        ...(limit === undefined ? {} : { limit }),
      }),
    };
  };
  return {
    [JOB_ROUTES.startSync]: async (request) => {
      const body = bodyObject(request);
      const result = await runOperation(jobs, {
        operation: "startSync",
        vendorId: required(request, "vendorId"),
        ...(body.mode === undefined ? {} : { mode: body.mode }),
        ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }),
        trigger: "admin",
        ...(request.principal ? { requestedBy: request.principal } : {}),
      });
      return { statusCode: 202, body: result };
    },
    [JOB_ROUTES.getJob]: async (request) => ({
      statusCode: 200,
      body: await runOperation(jobs, { operation: "getJob", jobId: required(request, "jobId") }),
    }),
    [JOB_ROUTES.listJobs]: (request) => list(request, required(request, "vendorId")),
    [JOB_ROUTES.listAllJobs]: (request) => list(request, undefined),
    [JOB_ROUTES.cancelJob]: async (request) => ({
      statusCode: 202,
      body: await runOperation(jobs, {
        operation: "cancelJob",
        jobId: required(request, "jobId"),
        ...(request.principal ? { requestedBy: request.principal } : {}),
      }),
    }),
  };
}

/** Builds the function: dispatches on the route key, answers JSON. */
export function makeHandler(deps: { readonly routes: AdminRoutes; readonly log: Log }) {
  const respond = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
    statusCode,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return async (event: APIGatewayProxyEventV2WithIAMAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = deps.routes[event.routeKey];
    if (!route) return respond(404, { message: `no route ${event.routeKey}` });
    let body: unknown;
    if (event.body) {
      try {
        body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body);
      } catch {
        return respond(400, { name: "ValidationError", message: "the body is not JSON", statusCode: 400 });
      }
    }
    try {
      const result = await route({
        pathParameters: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        body,
        principal: event.requestContext.authorizer?.iam?.userArn,
      });
      return respond(result.statusCode, result.body);
    } catch (error) {
      const mapped = errorBody(error);
      if (!mapped) {
        deps.log.error("admin route failed", { routeKey: event.routeKey, error: String(error) });
        return respond(500, { message: "Internal Server Error" });
      }
      return respond(mapped.statusCode, mapped);
    }
  };
}
