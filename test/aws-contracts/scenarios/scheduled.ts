/**
 * The scheduled and on-demand workflows through the deployed functions: the schedule's own target
 * input starts a sync, the pull worker pages through the recorded vendor API (one run finished by the
 * worker, one large enough to hand over to the batch workflow), the on-demand operations and the
 * admin job routes, the watchdog on a stalled job, the freshness monitor.
 */
import { expect, vi } from "vitest";
import { loadVendorConfigs } from "../../../config/load-vendors.ts";
import type { VendorConfig } from "../../../lambdas/core/vendor-config.ts";
import { iamAuthorizedHttpApiEvent } from "../../../local/http-api-events.ts";
import type { LocalSecrets } from "../../../local/local-secrets.ts";
import { LocalVendorApi } from "../../../local/vendor-api.ts";
import { FAKE_ACCOUNT } from "../../support/aws/cloudformation.ts";
import { scheduledRuleEvent, sqsEventFrom } from "../../support/aws/events.ts";
import type { ContractHarness } from "../../support/aws/harness.ts";

const PULL_SECRET_NAME = "vendor-sync/shopify-demo/admin-token";
const PULL_TOKEN = "shpat_contract_tests";

/** The bundled vendors with shopify-demo's pull handing over after 3 records (the recorded API has 6). */
export function handOffVendors(): { name: string; configs: VendorConfig[] } {
  const configs = [...loadVendorConfigs().values()].map((vendor) => {
    const pull = vendor.channels.pull;
    if (vendor.id !== "shopify-demo" || !pull) return vendor;
    return { ...vendor, channels: { ...vendor.channels, pull: { ...pull, batchHandoffRecords: 3 } } };
  });
  return { name: "handoff", configs };
}

/** Sends the pull connector's requests for recorded vendor origins to the local vendor API. */
async function routeVendorApi(h: ContractHarness): Promise<() => Promise<void>> {
  const secrets = { text: async (name: string) => h.services.secrets.get(name) } as unknown as LocalSecrets;
  const api = new LocalVendorApi(loadVendorConfigs(), secrets);
  const origin = await api.origin();
  const served = new Set(api.origins);
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!served.has(url.origin)) return original(input, init);
    return original(`${origin}/vendor-apis/${url.host}${url.pathname}${url.search}`, init);
  };
  return async () => {
    globalThis.fetch = original;
    await api.close();
  };
}

type Job = { jobId: string; status: string };
type Operation = { ok: boolean; job?: Job; jobs?: Job[] };

/** Runs the pull worker on its queue until no message is left (follow-ups included). */
async function drainSyncQueue(h: ContractHarness, vendors?: ReturnType<typeof handOffVendors>): Promise<void> {
  const worker = h.functions.byEntry("pull-vendor");
  const queueUrl = String(worker.environment.SYNC_QUEUE_URL);
  for (let round = 0; round < 20 && (h.services.queues.get(queueUrl)?.length ?? 0) > 0; round++) {
    const result = (await h.functions.invoke(
      worker,
      sqsEventFrom(h.services, queueUrl),
      vendors ? { vendors } : {},
    )) as {
      batchItemFailures: unknown[];
    };
    expect(result.batchItemFailures).toEqual([]);
  }
  expect(h.services.queues.get(queueUrl) ?? []).toEqual([]);
}

export async function scheduledScenario(h: ContractHarness): Promise<void> {
  h.services.secrets.set(PULL_SECRET_NAME, PULL_TOKEN);
  const stopVendorApi = await routeVendorApi(h);
  try {
    await pullScenario(h);
  } finally {
    await stopVendorApi();
  }
}

async function pullScenario(h: ContractHarness): Promise<void> {
  const onDemand = h.functions.byEntry("sync-jobs");
  const adminApi = h.functions.byEntry("admin-api");

  // The vendor's schedule invokes the on-demand function with the template's Target.Input.
  const [, schedule] =
    h.app
      .resources("AWS::Scheduler::Schedule")
      .find(([, s]) => String(s.Properties.Target.Input ?? "").includes('"vendorId":"shopify-demo"')) ?? [];
  if (!schedule) throw new Error("no schedule for shopify-demo");
  const started = (await h.functions.invoke(onDemand, JSON.parse(schedule.Properties.Target.Input))) as Operation;
  expect(started).toMatchObject({ ok: true, job: { status: "QUEUED" } });
  await drainSyncQueue(h);
  const jobsTopic = String(h.functions.byEntry("pull-vendor").environment.JOBS_TOPIC_ARN);
  expect(h.services.published.some((p) => p.topicArn === jobsTopic)).toBe(true);

  // On-demand operations, then the admin API's job routes (IAM-authorized HTTP API events).
  const jobId = started.job?.jobId ?? "";
  expect(await h.functions.invoke(onDemand, { operation: "getJob", jobId })).toMatchObject({ ok: true });
  expect(await h.functions.invoke(onDemand, { operation: "listJobs", vendorId: "shopify-demo" })).toMatchObject({
    ok: true,
  });
  const route = (routeKey: string, path: string, pathParameters: Record<string, string>, body?: unknown) =>
    h.functions.invoke(adminApi, adminApiEvent(routeKey, path, pathParameters, body)) as Promise<{
      statusCode: number;
    }>;
  expect((await route("GET /admin/jobs", "/admin/jobs", {})).statusCode).toBe(200);
  const queued = await route("POST /admin/vendors/{vendorId}/syncs", "/admin/vendors/shopify-demo/syncs", {
    vendorId: "shopify-demo",
  });
  expect(queued.statusCode).toBe(202);
  const queuedJob = (JSON.parse((queued as unknown as { body: string }).body) as { job: Job }).job;
  expect(
    (
      await route("POST /admin/jobs/{jobId}/cancel", `/admin/jobs/${queuedJob.jobId}/cancel`, {
        jobId: queuedJob.jobId,
      })
    ).statusCode,
  ).toBe(202);
  h.services.queues.set(String(h.functions.byEntry("pull-vendor").environment.SYNC_QUEUE_URL), []);

  // A large pull: the worker stages what is past the threshold and hands it to the batch workflow.
  const handOff = handOffVendors();
  const large = (await h.functions.invoke(
    onDemand,
    { operation: "startSync", vendorId: "shopify-demo", mode: "full", trigger: "admin" },
    { vendors: handOff },
  )) as Operation;
  expect(large.ok).toBe(true);
  await drainSyncQueue(h, handOff);
  expect(h.services.executions.some((e) => e.name?.startsWith("pull-"))).toBe(true);

  // A message the worker cannot read goes to the sync queue's dead-letter queue.
  const worker = h.functions.byEntry("pull-vendor");
  const syncQueue = String(worker.environment.SYNC_QUEUE_URL);
  h.services.queues.set(syncQueue, [{ MessageId: "sync-poison", Body: "{}" }]);
  await h.functions.invoke(worker, sqsEventFrom(h.services, syncQueue, 99));
  expect(h.services.queues.get(String(worker.environment.SYNC_DLQ_URL))?.length).toBeGreaterThan(0);
}

/**
 * Jobs that end without the worker (run after the batch scenario, which finishes the handed-over pull):
 * a queued job cancelled by direct invoke, another left queued that the watchdog fails hours later,
 * and the freshness monitor's scheduled run.
 */
export async function jobEndsScenario(h: ContractHarness): Promise<void> {
  const onDemand = h.functions.byEntry("sync-jobs");
  const syncQueue = String(h.functions.byEntry("pull-vendor").environment.SYNC_QUEUE_URL);
  const cancelled = (await h.functions.invoke(onDemand, {
    operation: "startSync",
    vendorId: "shopify-demo",
    mode: "incremental",
    trigger: "admin",
  })) as Operation;
  expect(await h.functions.invoke(onDemand, { operation: "cancelJob", jobId: cancelled.job?.jobId })).toMatchObject({
    ok: true,
  });
  expect(
    await h.functions.invoke(onDemand, {
      operation: "startSync",
      vendorId: "shopify-demo",
      mode: "full",
      trigger: "admin",
    }),
  ).toMatchObject({ ok: true });
  h.services.queues.set(syncQueue, []);
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 3 * 60 * 60 * 1000 });
  try {
    expect(await h.functions.invoke(h.functions.byEntry("watchdog"), {})).toMatchObject({
      stopped: [expect.objectContaining({ status: "FAILED" })],
    });
  } finally {
    vi.useRealTimers();
  }
  await h.functions.invoke(h.functions.byEntry("freshness-monitor"), scheduledRuleEvent(h.app));
}

/** An admin API route's event (IAM-authorized HTTP API, payload 2.0) in the fake account. */
export function adminApiEvent(routeKey: string, path: string, pathParameters: Record<string, string>, body?: unknown) {
  return iamAuthorizedHttpApiEvent(
    {
      routeKey,
      path,
      pathParameters,
      headers: { "content-type": "application/json", "user-agent": "vendor-sync-cli" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      accountId: FAKE_ACCOUNT,
      apiId: "adminapi01",
      domainName: "adminapi01.execute-api.eu-central-1.amazonaws.com",
      sourceIp: "203.0.113.7",
    },
    `arn:aws:iam::${FAKE_ACCOUNT}:user/admin`,
  );
}
