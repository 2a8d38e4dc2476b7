/**
 * The sandbox's local API as a browser or another local program would reach it: admin routes and
 * `/_cli` need the data directory's token and refuse cross-site browser requests; the webhook route
 * stays open (signatures protect it).
 */
import { statSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../lambdas/core/ports.ts";
import { readAdminToken } from "../../local/admin-token.ts";
import { openSandbox, type Sandbox } from "../../local/sandbox.ts";
import { createLocalServer, listen } from "../../local/server.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { startServe } from "../support/serve-process.ts";

let sandbox: Sandbox;
let server: Server;
let url: string;
let token: string;
const commands: (readonly string[])[] = [];

beforeAll(async () => {
  sandbox = await openSandbox({ dataDir: undefined, command: "test", log: silentLog });
  server = createLocalServer(sandbox, async (argv) => {
    commands.push(argv);
    return { exitCode: 0, stdout: "ran\n", stderr: "" };
  });
  url = await listen(server, 0);
  token = readAdminToken(sandbox.dataDir) ?? "";
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sandbox.close();
});

const pauseCommand = JSON.stringify({ argv: ["vendor", "pause", "--vendor", "canonical"] });

describe("the local API's admin token", () => {
  it("is created in the data directory, readable by its owner only", () => {
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(sandbox.dataDir, "admin-token")).mode & 0o777).toBe(0o600);
  });

  it("refuses a plain-text POST to /_cli without the token (what a web page's form can send): 401, nothing runs", async () => {
    const response = await fetch(`${url}/_cli`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: pauseCommand,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(((await response.json()) as { error: string }).error).toMatch(/admin token/);
    expect(commands).toEqual([]);
  });

  it("refuses a wrong token", async () => {
    const response = await fetch(`${url}/_cli`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${"0".repeat(64)}` },
      body: pauseCommand,
    });
    expect(response.status).toBe(401);
    expect(commands).toEqual([]);
  });

  it("refuses a browser's cross-site request even when it carries the token: 403", async () => {
    for (const headers of [{ origin: "https://evil.example" }, { "sec-fetch-site": "cross-site" }]) {
      const response = await fetch(`${url}/_cli`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
        body: pauseCommand,
      });
      expect(response.status).toBe(403);
    }
    expect(commands).toEqual([]);
  });

  it("guards the admin routes the same way: no job starts without the token", async () => {
    const refused = await fetch(`${url}/admin/vendors/shopify-demo/syncs`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(401);
    expect(await sandbox.sync.listJobs("shopify-demo", { limit: 10 })).toEqual([]);
    const listed = await fetch(`${url}/admin/jobs`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
  });

  it("runs the command for the CLI, which sends the token", async () => {
    const response = await fetch(`${url}/_cli`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: pauseCommand,
    });
    expect(response.status).toBe(200);
    // The answer streams as JSON Lines (progress, when asked for, then the result).
    expect(JSON.parse(await response.text())).toEqual({ result: { exitCode: 0, stdout: "ran\n", stderr: "" } });
    expect(commands).toEqual([["vendor", "pause", "--vendor", "canonical"]]);
  });

  it("leaves the webhook route open to vendors (no token; the signature decides)", async () => {
    const response = await fetch(`${url}/webhooks/canonical`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://vendor.example" },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe("signature verification failed");
  });

  it("listens on loopback unless told otherwise", () => {
    expect(new URL(url).hostname).toBe("127.0.0.1");
  });
});

describe("bad requests to the local API: 4xx naming the problem, never a 500", () => {
  const authorized = () => ({ authorization: `Bearer ${token}` });

  it("answers a malformed percent-escape in the webhook path with 400", async () => {
    const response = await fetch(`${url}/webhooks/%ZZ`, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe(
      'malformed percent-escape in the path "/webhooks/%ZZ"',
    );
  });

  it("answers GET on the webhook route with 405 and Allow: POST", async () => {
    const response = await fetch(`${url}/webhooks/canonical`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("answers a /_cli body that is not JSON, or not a list of arguments, with 400", async () => {
    for (const [body, message] of [
      ["{argv:", /^request body is not JSON: /],
      ['{"argv":"records"}', /^argv must be a list of strings$/],
      ['{"argv":["records",1]}', /^argv must be a list of strings$/],
      ['{"argv":[],"cwd":7}', /^cwd must be a string$/],
    ] as const) {
      const response = await fetch(`${url}/_cli`, { method: "POST", headers: authorized(), body });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    expect(commands.filter((argv) => argv[0] === "records")).toEqual([]);
  });

  it("answers the wrong method on /_cli and on an admin route with 405 and Allow", async () => {
    const cli = await fetch(`${url}/_cli`, { headers: authorized() });
    expect(cli.status).toBe(405);
    expect(cli.headers.get("allow")).toBe("POST");
    const jobs = await fetch(`${url}/admin/jobs`, { method: "DELETE", headers: authorized() });
    expect(jobs.status).toBe(405);
    expect(jobs.headers.get("allow")).toBe("GET");
  });
});

describe("a CLI command while serve owns the data directory (separate processes)", () => {
  it("is forwarded to serve with the token and runs there; a request without it runs nothing", async () => {
    const dataDir = tempDir();
    const serve = await startServe(dataDir);
    try {
      const refused = await fetch(`${serve.url}/_cli`, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: pauseCommand,
      });
      expect(refused.status).toBe(401);
      const paused = await runCli(["vendor", "pause", "--vendor", "canonical", "--json", "--data-dir", dataDir]);
      expect(paused.code, paused.stderr).toBe(0);
      expect(JSON.parse(paused.stdout)).toMatchObject({ vendorId: "canonical", paused: true });
    } finally {
      await serve.stop();
    }
  }, 60_000);
});
