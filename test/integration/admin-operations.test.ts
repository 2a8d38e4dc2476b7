import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHandler } from "../../lambdas/admin-operations/admin-operations.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { importFile } from "../../local/commands/import.ts";
import { sandboxAdminDeps } from "../../local/commands/operations.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { repoPath } from "../support/files.ts";

let sandbox: Sandbox;
let handler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  for (const file of ["01-baseline.jsonl", "02-internal-edit.jsonl", "03-vendor-updates.jsonl"]) {
    await importFile(sandbox, {
      vendorId: "canonical",
      file: repoPath(`examples/canonical/${file}`),
      asOf: "2026-11-01T12:00:00Z",
    });
  }
  handler = makeHandler(sandboxAdminDeps(sandbox));
});
afterAll(async () => {
  await sandbox.close();
});

function http(
  routeKey: string,
  options: { path?: Record<string, string>; body?: unknown; query?: Record<string, string>; user?: string } = {},
) {
  return handler({
    version: "2.0",
    routeKey,
    rawPath: "/admin",
    rawQueryString: "",
    headers: {},
    pathParameters: options.path ?? {},
    queryStringParameters: options.query,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: { authorizer: { iam: { userArn: options.user ?? "arn:aws:iam::123456789012:user/alice" } } },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer) as Promise<APIGatewayProxyStructuredResultV2>;
}

describe("admin operations over the admin API", () => {
  it("lists open conflicts by vendor and shows one", async () => {
    const list = await http("GET /admin/conflicts", { query: { vendorId: "canonical" } });
    expect(list.statusCode).toBe(200);
    const { conflicts } = JSON.parse(list.body ?? "{}") as { conflicts: { conflictId: string }[] };
    expect(conflicts).toHaveLength(2);
    const one = await http("GET /admin/conflicts/{conflictId}", {
      path: { conflictId: conflicts[0]?.conflictId ?? "" },
    });
    expect(JSON.parse(one.body ?? "{}")).toMatchObject({ conflictId: conflicts[0]?.conflictId, status: "OPEN" });
  });

  it("resolves a conflict as the IAM caller; a second resolution gets 409 naming who resolved it", async () => {
    const { conflicts } = JSON.parse((await http("GET /admin/conflicts")).body ?? "{}") as {
      conflicts: { conflictId: string; entityType: string }[];
    };
    const conflictId = conflicts.find((c) => c.entityType === "product")?.conflictId ?? "";
    const first = await http("POST /admin/conflicts/{conflictId}/resolve", {
      path: { conflictId },
      body: { action: "edit", values: { title: "Joust Duffle (reviewed)" } },
    });
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body ?? "{}")).toMatchObject({
      written: true,
      conflict: { resolution: { action: "edit", by: "arn:aws:iam::123456789012:user/alice" } },
    });
    const second = await http("POST /admin/conflicts/{conflictId}/resolve", {
      path: { conflictId },
      body: { action: "reject" },
      user: "arn:aws:iam::123456789012:user/bob",
    });
    expect(second.statusCode).toBe(409);
    expect(JSON.parse(second.body ?? "{}").error).toMatch(/already resolved by arn:aws:iam::123456789012:user\/alice/);
  });

  it("answers 404 for an unknown conflict and 400 for a bad resolution body", async () => {
    expect(
      (
        await http("POST /admin/conflicts/{conflictId}/resolve", {
          path: { conflictId: "c-nope" },
          body: { action: "accept" },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await http("POST /admin/conflicts/{conflictId}/resolve", {
          path: { conflictId: "c-nope" },
          body: { action: "maybe" },
        })
      ).statusCode,
    ).toBe(400);
  });

  it("pauses and resumes a vendor, and reports DLQ depths", async () => {
    expect(
      JSON.parse(
        (await http("POST /admin/vendors/{vendorId}/pause", { path: { vendorId: "canonical" } })).body ?? "{}",
      ),
    ).toEqual({ vendorId: "canonical", paused: true });
    expect(await sandbox.pause.isPaused("canonical")).toBe(true);
    expect(
      JSON.parse(
        (await http("POST /admin/vendors/{vendorId}/resume", { path: { vendorId: "canonical" } })).body ?? "{}",
      ),
    ).toEqual({ vendorId: "canonical", paused: false, requeued: 0 });
    const dlq = JSON.parse((await http("GET /admin/dlq")).body ?? "{}");
    expect(dlq).toEqual({
      queues: [
        { queue: "realtime", deadLetterQueue: "realtime-dlq", messages: 0, deadLetters: 0 },
        { queue: "sync", deadLetterQueue: "sync-dlq", messages: 0, deadLetters: 0 },
      ],
    });
  });
});

describe("admin operations by direct invoke", () => {
  it("runs a command and fails on an invalid one", async () => {
    expect(await handler({ action: "dlq.list" })).toMatchObject({ queues: [{ queue: "realtime" }, { queue: "sync" }] });
    await expect(handler({ action: "conflicts.resolve", conflictId: "c-x" })).rejects.toThrow(/invalid command/);
  });
});
