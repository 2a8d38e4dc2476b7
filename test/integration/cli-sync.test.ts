import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JobView } from "../../lambdas/core/jobs/job.ts";
import type { PullChannelInput } from "../../lambdas/core/pull/pull-config.ts";
import { runWith } from "../../local/cli.ts";
import { SandboxJobsClient } from "../../local/jobs-client.ts";
import type { Sandbox } from "../../local/sandbox.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { openPullSandbox, shopifyPull, TestClock, testVendor } from "../support/scheduled.ts";
import { type Exchange, FixtureServer, loadExchange, serve } from "./vendor-http/fixture-server.ts";

const PATH = "/admin/api/2025-10/products.json";
let server: FixtureServer;
let pages: Exchange[];
let sandbox: Sandbox | undefined;

beforeEach(async () => {
  server = await FixtureServer.start();
  pages = [1, 2, 3].map((n) => loadExchange(`shopify-rest/products.page-${n}.json`, server.origin));
  server.route(
    (request) =>
      request.url.pathname === PATH && !request.url.searchParams.has("page_info") ? pages[0]?.response : undefined,
    serve(pages),
  );
});

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await server.close();
});

/** Runs a command line in this process against a test sandbox whose jobs this process runs. */
async function cli(argv: string[], pull: Partial<PullChannelInput> = {}) {
  sandbox ??= await openPullSandbox(
    [testVendor({ id: "shop", channels: { pull: shopifyPull(server.origin, pull) } })],
    new TestClock(),
  );
  let stdout = "";
  let stderr = "";
  const code = await runWith(argv, {
    io: { out: (t) => (stdout += t), err: (t) => (stderr += t), interactive: false },
    jobs: { remote: new SandboxJobsClient(sandbox, { drive: true }), sleep: async () => {} },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as JobView & { jobs: JobView[] } };
}

describe("vendor-sync sync --wait: exit code from the job's final status", () => {
  it("exits 0 when the job succeeds, printing the final job as one JSON line", async () => {
    const run = await cli(["sync", "--vendor", "shop", "--wait", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    expect(run.json()).toMatchObject({ status: "SUCCEEDED", rowsRead: 5, pagesFetched: 3, trigger: "cli" });
  });

  it("exits 2 when some records are rejected (PARTIAL)", async () => {
    const broken = structuredClone(pages[0]?.response) as { body: { products: { title?: string }[] } };
    delete broken.body.products[0]?.title;
    server.route(
      (request) =>
        request.url.pathname === PATH && !request.url.searchParams.has("page_info")
          ? (broken as Exchange["response"])
          : undefined,
      serve(pages),
    );
    const run = await cli(["sync", "--vendor", "shop", "--wait", "--json"]);
    expect(run.code).toBe(2);
    expect(run.json()).toMatchObject({ status: "PARTIAL", counts: { rejected: 1 } });
  });

  it("fails with exit 1 when the job fails (the vendor refuses the credentials)", async () => {
    server.route(() => ({ status: 401, body: { errors: "[API] Invalid API key or access token" } }));
    const run = await cli(["sync", "--vendor", "shop", "--wait"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED[\s\S]*error: .*HTTP 401/);
  });

  it("exits 0 for a dry run, which writes nothing", async () => {
    const run = await cli(["sync", "--vendor", "shop", "--dry-run", "--full", "--wait", "--json"]);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ status: "SUCCEEDED", input: { mode: "full", dryRun: true } });
    expect(
      await sandbox?.records.get({ vendorId: "shop", entityType: "price", entityKey: "CVT-SM-GRY" }),
    ).toBeUndefined();
  });

  it("fails (exit 1) naming the running job when the vendor is already syncing", async () => {
    const first = await cli(["sync", "--vendor", "shop", "--json"]);
    expect(first.code).toBe(0);
    const queued = first.json();
    expect(queued.status).toBe("QUEUED");
    const second = await cli(["sync", "--vendor", "shop", "--json"]);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toEqual({ error: { message: expect.stringContaining(queued.jobId) } });
  });
});

describe("vendor-sync jobs and job", () => {
  it("lists jobs, shows one and cancels a queued one, each as one JSON object", async () => {
    const started = (await cli(["sync", "--vendor", "shop", "--json"])).json();
    const listed = await cli(["jobs", "--vendor", "shop", "--json"]);
    expect(listed.json().jobs.map((j) => j.jobId)).toEqual([started.jobId]);
    const shown = await cli(["job", started.jobId, "--json"]);
    expect(shown.json()).toMatchObject({ jobId: started.jobId, status: "QUEUED" });
    const cancelled = await cli(["job", started.jobId, "--cancel"]);
    expect(cancelled.stdout).toMatch(new RegExp(`job ${started.jobId} {2}shop {2}CANCELLED`));
    const again = await cli(["job", started.jobId, "--cancel", "--json"]);
    expect(again.code).toBe(1);
  });
});

describe("vendor-sync as a user runs it (separate processes, the bundled shopify-demo and its local vendor API)", () => {
  it("runs a sync to its end in its own process when no serve is running", async () => {
    const run = await runCli(["sync", "--vendor", "shopify-demo", "--json", "--data-dir", tempDir()]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "SUCCEEDED", rowsRead: 5, pagesFetched: 3 });
    // The local vendor API answers its recorded 429 once: the job continued in a follow-up message.
    expect(run.stderr).toMatch(/continues in a follow-up message.*rate-limited/);
  });

  it("talks to a running serve's admin routes, which run the job", async () => {
    const dataDir = tempDir();
    const serving = spawn(
      process.execPath,
      [repoPath("bin/vendor-sync.mjs"), "serve", "--port", "0", "--data-dir", dataDir],
      {
        cwd: repoPath("."),
      },
    );
    try {
      const url = await serveUrl(serving);
      const run = await runCli(["sync", "--vendor", "shopify-demo", "--wait", "--json", "--data-dir", dataDir]);
      expect(run.code, run.stderr).toBe(0);
      const job = JSON.parse(run.stdout) as JobView;
      expect(job).toMatchObject({ status: "SUCCEEDED", trigger: "admin" });
      const token = readFileSync(join(dataDir, "admin-token"), "utf8").trim();
      const listed = await fetch(`${url}/admin/vendors/shopify-demo/jobs`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await listed.json()) as { jobs: JobView[] }).jobs[0]?.jobId).toBe(job.jobId);
    } finally {
      await stop(serving);
    }
  });
});

/** Resolves with serve's URL once it prints it. */
function serveUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /vendor-sync serve: listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`serve exited (${code}): ${seen}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
