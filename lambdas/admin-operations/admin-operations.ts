/**
 * admin-operations — what admins and operators do every day, behind the admin API (IAM auth) and as a
 * directly invokable function: review conflicts (list, show, resolve), work the dead-letter queues
 * (depths, peek, rate-capped redrive), pause or resume a vendor and replay its archived webhooks.
 *
 * Direct invoke: `{ "action": "conflicts.resolve", "conflictId": "c-…", "resolution": { "action": "accept" }, "by": "alice" }`
 * (actions: conflicts.list | conflicts.show | conflicts.resolve | dlq.list | dlq.show | dlq.redrive |
 * vendor.pause | vendor.resume | webhooks.replay). HTTP: see {@link ADMIN_OPERATION_ROUTES}.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as v from "valibot";
import type { ChangeInterpreter } from "../core/changes/interpreter.ts";
import { ValidationError } from "../core/errors.ts";
import type { DeadLetterWorkbench } from "../core/operations/dead-letters.ts";
import { type ReplayDeps, replayArchivedDeliveries } from "../core/operations/replay-webhooks.ts";
import { type ConflictReviewStore, resolveConflict } from "../core/operations/resolve-conflict.ts";
import { resumeVendor, type VendorPauseControl } from "../core/operations/vendor-pause.ts";
import type { ConflictItem, QueueSender, RecordStore } from "../core/ports.ts";
import { parseTimestamp } from "../core/timestamps.ts";
import { errorResponse, json } from "../runtime/http-errors.ts";
import type { VendorRegistry } from "../runtime/vendor-registry.ts";

/** The admin API routes this function serves (route key → action). */
export const ADMIN_OPERATION_ROUTES = {
  "GET /admin/conflicts": "conflicts.list",
  "GET /admin/conflicts/{conflictId}": "conflicts.show",
  "POST /admin/conflicts/{conflictId}/resolve": "conflicts.resolve",
  "GET /admin/dlq": "dlq.list",
  "GET /admin/dlq/{queue}": "dlq.show",
  "POST /admin/dlq/{queue}/redrive": "dlq.redrive",
  "POST /admin/vendors/{vendorId}/pause": "vendor.pause",
  "POST /admin/vendors/{vendorId}/resume": "vendor.resume",
  "POST /admin/vendors/{vendorId}/replay": "webhooks.replay",
} as const;

const ResolutionSchema = v.variant("action", [
  v.object({ action: v.literal("accept") }),
  v.object({ action: v.literal("reject") }),
  v.object({ action: v.literal("edit"), values: v.record(v.string(), v.unknown()) }),
]);
const By = v.pipe(v.string(), v.minLength(1), v.maxLength(256));

/** A direct-invoke command. */
export const AdminCommandSchema = v.variant("action", [
  v.object({
    action: v.literal("conflicts.list"),
    vendorId: v.optional(v.string()),
    status: v.optional(v.picklist(["OPEN", "RESOLVED", "SUPERSEDED"])),
  }),
  v.object({ action: v.literal("conflicts.show"), conflictId: v.string() }),
  v.object({ action: v.literal("conflicts.resolve"), conflictId: v.string(), resolution: ResolutionSchema, by: By }),
  v.object({ action: v.literal("dlq.list") }),
  v.object({
    action: v.literal("dlq.show"),
    queue: v.string(),
    limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100))),
  }),
  v.object({
    action: v.literal("dlq.redrive"),
    queue: v.string(),
    ratePerSecond: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  }),
  v.object({ action: v.literal("vendor.pause"), vendorId: v.string(), by: By }),
  v.object({ action: v.literal("vendor.resume"), vendorId: v.string(), by: By }),
  v.object({
    action: v.literal("webhooks.replay"),
    vendorId: v.string(),
    /** ISO 8601: deliveries received at or after. */
    since: v.optional(v.string()),
    /** ISO 8601: deliveries received before. */
    until: v.optional(v.string()),
    dryRun: v.optional(v.boolean()),
    /** A previous call's `resumeAfter`. */
    after: v.optional(v.string()),
  }),
]);
export type AdminCommand = v.InferOutput<typeof AdminCommandSchema>;

export interface AdminOperationsDeps {
  readonly vendors: VendorRegistry;
  readonly records: Pick<RecordStore, "get">;
  /** Applies conflict resolutions (its live mode). */
  readonly interpreter: Pick<ChangeInterpreter, "applyAt">;
  readonly conflicts: ConflictReviewStore & {
    listConflicts(vendorId: string, options: { status?: ConflictItem["status"] }): Promise<ConflictItem[]>;
  };
  readonly deadLetters: DeadLetterWorkbench;
  readonly pause: VendorPauseControl;
  /** Where a resumed vendor's parked messages and replayed deliveries go (the real-time queue). */
  readonly resumeQueue: QueueSender;
  /** The webhook archive, for `webhooks.replay`. */
  readonly archive: ReplayDeps["archive"];
  /** A vendor's platform key index, for `webhooks.replay`. */
  readonly keyIndexFor: (vendorId: string) => ReplayDeps["keyIndex"];
  /**
   * Time a replay call may take before it returns `complete: false` with `resumeAfter`, ms.
   * @default unlimited (the Lambda sets 20 s, inside the admin API's 30-s limit)
   */
  readonly replayBudgetMs?: number;
  readonly now?: () => number;
}

/** Runs one command. @throws the typed errors of the operation (mapped to HTTP by {@link errorResponse}). */
export async function runAdminCommand(deps: AdminOperationsDeps, command: AdminCommand): Promise<unknown> {
  switch (command.action) {
    case "conflicts.list": {
      const vendorIds = command.vendorId
        ? [deps.vendors.get(command.vendorId).id]
        : deps.vendors.all().map((vendor) => vendor.id);
      const all: ConflictItem[] = [];
      for (const vendorId of vendorIds)
        all.push(...(await deps.conflicts.listConflicts(vendorId, { status: command.status ?? "OPEN" })));
      return { conflicts: all.sort((a, b) => a.createdAt - b.createdAt) };
    }
    case "conflicts.show": {
      const conflict = await deps.conflicts.getConflict(command.conflictId);
      if (!conflict) throw new ValidationError(`no conflict ${command.conflictId}`, { field: "conflictId" });
      return conflict;
    }
    case "conflicts.resolve": {
      const result = await resolveConflict(
        {
          conflicts: deps.conflicts,
          records: deps.records,
          interpreter: deps.interpreter,
          vendor: (id) => deps.vendors.get(id),
          ...(deps.now ? { now: deps.now } : {}),
        },
        { conflictId: command.conflictId, resolution: command.resolution, by: command.by },
      );
      return { conflict: result.conflict, record: result.record ?? null, written: result.written };
    }
    case "dlq.list":
      return { queues: await deps.deadLetters.depths() };
    case "dlq.show":
      return { messages: await deps.deadLetters.peek(command.queue, command.limit ?? 10) };
    case "dlq.redrive":
      return deps.deadLetters.redrive(
        command.queue,
        command.ratePerSecond ? { ratePerSecond: command.ratePerSecond } : {},
      );
    case "vendor.pause": {
      const vendor = deps.vendors.get(command.vendorId);
      await deps.pause.setPaused(vendor.id, true, command.by, (deps.now ?? Date.now)());
      return { vendorId: vendor.id, paused: true };
    }
    case "vendor.resume": {
      const vendor = deps.vendors.get(command.vendorId);
      const requeued = await resumeVendor({ control: deps.pause, queue: deps.resumeQueue }, vendor.id, command.by);
      return { vendorId: vendor.id, paused: false, requeued };
    }
    case "webhooks.replay": {
      const vendor = deps.vendors.get(command.vendorId);
      return replayArchivedDeliveries(
        {
          archive: deps.archive,
          queue: deps.resumeQueue,
          keyIndex: deps.keyIndexFor(vendor.id),
          ...(deps.now ? { now: deps.now } : {}),
        },
        {
          vendor,
          ...(command.since !== undefined ? { since: parseTimestamp(command.since, { field: "since" }) } : {}),
          ...(command.until !== undefined ? { until: parseTimestamp(command.until, { field: "until" }) } : {}),
          ...(command.dryRun !== undefined ? { dryRun: command.dryRun } : {}),
          ...(command.after !== undefined ? { after: command.after } : {}),
          ...(deps.replayBudgetMs !== undefined ? { budgetMs: deps.replayBudgetMs } : {}),
        },
      );
    }
  }
}

/** The command an admin API request asks for (the caller's IAM identity as `by`). */
export function commandFromHttp(event: APIGatewayProxyEventV2WithIAMAuthorizer): unknown {
  const action = ADMIN_OPERATION_ROUTES[event.routeKey as keyof typeof ADMIN_OPERATION_ROUTES];
  if (!action) throw new ValidationError(`no such route ${event.routeKey}`, { field: "routeKey" });
  const by = event.requestContext.authorizer?.iam?.userArn ?? event.requestContext.authorizer?.iam?.userId ?? "unknown";
  let body: Record<string, unknown> = {};
  if (event.body) {
    try {
      body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body);
    } catch {
      throw new ValidationError("request body is not valid JSON", { field: "body" });
    }
  }
  const query = event.queryStringParameters ?? {};
  const path = event.pathParameters ?? {};
  switch (action) {
    case "conflicts.list":
      return {
        action,
        ...(query.vendorId ? { vendorId: query.vendorId } : {}),
        ...(query.status ? { status: query.status } : {}),
      };
    case "conflicts.show":
      return { action, conflictId: path.conflictId };
    case "conflicts.resolve":
      return { action, conflictId: path.conflictId, resolution: body, by };
    case "dlq.list":
      return { action };
    case "dlq.show":
      return { action, queue: path.queue, ...(query.limit ? { limit: Number(query.limit) } : {}) };
    case "dlq.redrive":
      return { action, queue: path.queue, ...body };
    case "vendor.pause":
    case "vendor.resume":
      return { action, vendorId: path.vendorId, by };
    case "webhooks.replay":
      return { ...body, action, vendorId: path.vendorId };
  }
}

function isHttpEvent(event: unknown): event is APIGatewayProxyEventV2WithIAMAuthorizer {
  return typeof event === "object" && event !== null && "routeKey" in event && "requestContext" in event;
}

/** Builds the handler: an HTTP API event gets an HTTP answer; a direct invoke gets the result (or throws). */
export function makeHandler(deps: AdminOperationsDeps) {
  return async (event: unknown): Promise<unknown> => {
    if (!isHttpEvent(event)) {
      const command = v.safeParse(AdminCommandSchema, event);
      if (!command.success)
        throw new ValidationError(`invalid command: ${command.issues[0].message}`, {
          field: v.getDotPath(command.issues[0]) ?? "action",
        });
      return runAdminCommand(deps, command.output);
    }
    try {
      const command = v.safeParse(AdminCommandSchema, commandFromHttp(event));
      if (!command.success) {
        return json(400, {
          error: `invalid request: ${v.getDotPath(command.issues[0]) ?? "(body)"}: ${command.issues[0].message}`,
        });
      }
      return json(200, await runAdminCommand(deps, command.output)) satisfies APIGatewayProxyStructuredResultV2;
    } catch (error) {
      return errorResponse(error);
    }
  };
}
