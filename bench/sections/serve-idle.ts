/**
 * `serve` at rest: `vendor-sync serve` in its own process takes a burst of signed webhook deliveries
 * (100 in quick mode, 1,000 in a full run), processes them until its queues are empty, and is then
 * left alone; its CPU (user + system, from /proc) over the idle window (10 s quick, 60 s full) divided
 * by the window is the share of one core it uses doing nothing. The queue consumers sleep until a
 * message is sent or becomes visible, so this is what the schedules, the watchdog and the HTTP server
 * cost when nothing happens.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { authorizationHeader, readAdminToken } from "../../local/admin-token.ts";
import { forwardedResult } from "../../local/forwarded-cli.ts";
import { Figures } from "../lib/budget.ts";
import { ROOT } from "../lib/fixtures.ts";
import { processCpuMs, startServer, stopProcess } from "../lib/processes.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";
import { shopifyHeaders, shopifyProductBody } from "../lib/webhooks.ts";

/** The budget (issue 13): share of one core, %. */
export const SERVE_IDLE_BUDGET_PERCENT = 2;

/** Messages in `serve`'s queues (visible or in flight), through its own `dlq list`. */
async function queued(base: string, dataDir: string): Promise<number> {
  const response = await fetch(`${base}/_cli`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authorizationHeader(readAdminToken(dataDir)) },
    body: JSON.stringify({ argv: ["dlq", "list", "--json"], cwd: ROOT }),
  });
  const answer = forwardedResult(await response.text());
  if (answer.exitCode !== 0) throw new Error(`dlq list failed: ${answer.stderr}`);
  const { queues } = JSON.parse(answer.stdout) as { queues: { messages: number }[] };
  return queues.reduce((total, queue) => total + queue.messages, 0);
}

export async function serveIdleSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("serveIdle");
  const deliveries = options.quick ? 100 : 1_000;
  const idleSeconds = options.quick ? 10 : 60;
  const dataDir = join(options.tmpDir, "serve-idle");
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/vendor-sync.mjs"), "serve", "--port", "0", "--data-dir", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, POWERTOOLS_LOG_LEVEL: "ERROR" } },
  );
  try {
    const base = await startServer(child, /(http:\/\/127\.0\.0\.1:\d+)/);
    const pid = child.pid ?? 0;
    const secrets = JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as Record<string, string>;
    const secret = secrets["vendor-sync/shopify-demo/webhook"] ?? "";
    const body = shopifyProductBody();
    options.log(`serveIdle: ${deliveries} signed deliveries, then ${idleSeconds} s idle`);
    const burstStarted = performance.now();
    for (let i = 0; i < deliveries; i += 10) {
      const batch = Array.from({ length: Math.min(10, deliveries - i) }, (_, j) =>
        fetch(`${base}/webhooks/shopify-demo`, {
          method: "POST",
          headers: shopifyHeaders(secret, body, `idle-${i + j}`),
          body,
        }).then(async (response) => {
          await response.arrayBuffer();
          if (response.status >= 300) throw new Error(`delivery answered ${response.status}`);
        }),
      );
      await Promise.all(batch);
    }
    while ((await queued(base, dataDir)) > 0) await sleep(250);
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    const cpuBefore = processCpuMs(pid);
    const idleStarted = performance.now();
    await sleep(idleSeconds * 1000);
    const idleMs = performance.now() - idleStarted;
    const cpuMs = processCpuMs(pid) - cpuBefore;
    const percent = (cpuMs / idleMs) * 100;
    figures.budget(
      "cpuPercent",
      `vendor-sync serve, idle ${idleSeconds} s after ${deliveries} deliveries: CPU, share of one core`,
      percent,
      "%",
      "<=",
      SERVE_IDLE_BUDGET_PERCENT,
      `${cpuMs.toFixed(0)} ms CPU in ${(idleMs / 1000).toFixed(1)} s; the burst took ${burstSeconds.toFixed(1)} s to process`,
    );
    return { figures: figures.list, details: { deliveries, idleSeconds, idleMs, cpuMs, percent, burstSeconds } };
  } finally {
    await stopProcess(child);
  }
}
