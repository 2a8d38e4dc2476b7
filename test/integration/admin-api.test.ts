import type { APIGatewayProxyEventV2WithIAMAuthorizer } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobRoutes, makeHandler as makeAdminApi } from "../../lambdas/admin-api/admin-api.ts";
import { silentLog } from "../../lambdas/core/ports.ts";
import { makeHandler as makeSyncJobs } from "../../lambdas/sync-jobs/sync-jobs.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { openPullSandbox, shopifyPull, TestClock, testVendor } from "../support/scheduled.ts";

let sandbox: Sandbox;
let admin: ReturnType<typeof makeAdminApi>;
let invoke: ReturnType<typeof makeSyncJobs>;
const ADMIN_ARN = "arn:aws:iam::123456789012:user/ops-admin";

beforeAll(async () => {
  sandbox = await openPullSandbox(
    [
      testVendor({ id: "shop", channels: { pull: shopifyPull("https://shop.example.com") } }),
      testVendor({ id: "files-only", channels: { file: { format: "canonical" } } }),
    ],
    new TestClock(),
  );
  admin = makeAdminApi({ routes: jobRoutes(sandbox.scheduled.jobs), log: silentLog });
  invoke = makeSyncJobs({ jobs: sandbox.scheduled.jobs, log: silentLog });
});
afterAll(async () => {
  await sandbox.close();
});

/** An HTTP API (payload 2.0) event as API Gateway sends it after the IAM authorizer let it through. */
function request(
  routeKey: string,
  pathParameters: Record<string, string>,
  options: { body?: unknown; query?: Record<string, string> } = {},
): APIGatewayProxyEventV2WithIAMAuthorizer {
  const [method = "GET", path = "/"] = routeKey.split(" ");
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    rawQueryString: "",
    headers: { "content-type": "application/json" },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    pathParameters,
    requestContext: {
      accountId: "123456789012",
      apiId: "admin",
      authorizer: {
        iam: {
          accessKey: "AKIA",
          accountId: "123456789012",
          callerId: "AIDA",
          cognitoIdentity: null,
          principalOrgId: "o-example",
          userArn: ADMIN_ARN,
          userId: "AIDA",
        },
      },
      domainName: "admin.example.com",
      domainPrefix: "admin",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "test" },
      requestId: "req",
      routeKey,
      stage: "$default",
      time: "",
      timeEpoch: 0,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    isBase64Encoded: false,
  };
}

const json = (result: { body?: string }) => JSON.parse(result.body ?? "{}");

describe("admin API (IAM-authorised HTTP routes)", () => {
  it("starts a sync (202), shows it, lists it, refuses a second one (409) and cancels it (202)", async () => {
    const started = await admin(
      request("POST /admin/vendors/{vendorId}/syncs", { vendorId: "shop" }, { body: { mode: "full", dryRun: true } }),
    );
    expect(started.statusCode).toBe(202);
    const { job } = json(started);
    expect(job).toMatchObject({
      vendorId: "shop",
      status: "QUEUED",
      trigger: "admin",
      input: { mode: "full", dryRun: true, requestedBy: ADMIN_ARN },
    });
    expect(job).not.toHaveProperty("resumeState");

    const again = await admin(request("POST /admin/vendors/{vendorId}/syncs", { vendorId: "shop" }));
    expect(again.statusCode).toBe(409);
    expect(json(again)).toMatchObject({ name: "SyncAlreadyRunningError", runningJobId: job.jobId });

    const shown = await admin(request("GET /admin/jobs/{jobId}", { jobId: job.jobId }));
    expect([shown.statusCode, json(shown).job.jobId]).toEqual([200, job.jobId]);

    const listed = await admin(
      request("GET /admin/vendors/{vendorId}/jobs", { vendorId: "shop" }, { query: { limit: "5" } }),
    );
    expect(json(listed).jobs.map((j: { jobId: string }) => j.jobId)).toEqual([job.jobId]);

    const cancelled = await admin(request("POST /admin/jobs/{jobId}/cancel", { jobId: job.jobId }));
    expect([cancelled.statusCode, json(cancelled).job.status]).toEqual([202, "CANCELLED"]);
    const twice = await admin(request("POST /admin/jobs/{jobId}/cancel", { jobId: job.jobId }));
    expect([twice.statusCode, json(twice).name]).toEqual([409, "JobNotCancellableError"]);
  });

  it("fails with 404 for an unknown vendor or job, and 400 for a vendor without a pull channel or a bad body", async () => {
    const unknownVendor = await admin(request("POST /admin/vendors/{vendorId}/syncs", { vendorId: "nope" }));
    expect([unknownVendor.statusCode, json(unknownVendor).name]).toEqual([404, "UnknownVendorError"]);
    const unknownJob = await admin(request("GET /admin/jobs/{jobId}", { jobId: "01J0000000000000000000000Z" }));
    expect([unknownJob.statusCode, json(unknownJob).name]).toEqual([404, "JobNotFoundError"]);
    const filesOnly = await admin(request("POST /admin/vendors/{vendorId}/syncs", { vendorId: "files-only" }));
    expect([filesOnly.statusCode, json(filesOnly).name]).toEqual([400, "VendorNotSyncableError"]);
    const badMode = await admin(
      request("POST /admin/vendors/{vendorId}/syncs", { vendorId: "shop" }, { body: { mode: "everything" } }),
    );
    expect(badMode.statusCode).toBe(400);
    const badJobId = await admin(request("GET /admin/jobs/{jobId}", { jobId: "not-a-ulid" }));
    expect(badJobId.statusCode).toBe(400);
  });
});

describe("on-demand function (direct invoke)", () => {
  it("runs the same operations, answering refusals as { ok: false, error } with the API's status", async () => {
    const started = await invoke({ operation: "startSync", vendorId: "shop", requestedBy: "cli" });
    expect(started).toMatchObject({ ok: true, started: true, job: { status: "QUEUED", trigger: "admin" } });
    const jobId = (started as { job: { jobId: string } }).job.jobId;
    expect(await invoke({ operation: "startSync", vendorId: "shop", trigger: "schedule" })).toEqual({
      ok: true,
      started: false,
      reason: "already-running",
      runningJobId: jobId,
    });
    expect(await invoke({ operation: "getJob", jobId })).toMatchObject({ ok: true, job: { jobId } });
    expect(await invoke({ operation: "listJobs" })).toMatchObject({ ok: true, jobs: [{ jobId }, {}] });
    expect(await invoke({ operation: "cancelJob", jobId })).toMatchObject({ ok: true, job: { status: "CANCELLED" } });
    expect(await invoke({ operation: "explode" })).toMatchObject({ ok: false, error: { statusCode: 400 } });
  });
});
