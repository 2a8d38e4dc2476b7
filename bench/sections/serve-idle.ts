/**
 * `serve` at rest: `vendor-sync serve` in its own process takes a burst of signed webhook deliveries
 * (100 in quick mode, 1,000 in a full run), processes them until its queues are empty, and is then
 * left alone; its CPU (user + system, from /proc) over the idle window (10 s quick, 60 s full) divided
 * by the window is the share of one core it uses doing nothing. The queue consumers sleep until a
 * message is sent or becomes visible, so this is what the schedules, the watchdog and the HTTP server
 * cost when nothing happens.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Figures } from "../lib/budget.ts";
import { processCpuMs } from "../lib/processes.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";
import { startServe } from "../lib/serve.ts";
import { shopifyProductBody } from "../lib/webhooks.ts";

/** The budget (issue 13): share of one core, %. */
export const SERVE_IDLE_BUDGET_PERCENT = 2;

export async function serveIdleSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("serveIdle");
  const deliveries = options.quick ? 100 : 1_000;
  const idleSeconds = options.quick ? 10 : 60;
  const dataDir = join(options.tmpDir, "serve-idle");
  const serve = await startServe(dataDir);
  try {
    const pid = serve.child.pid ?? 0;
    const body = shopifyProductBody();
    options.log(`serveIdle: ${deliveries} signed deliveries, then ${idleSeconds} s idle`);
    const burstStarted = performance.now();
    for (let i = 0; i < deliveries; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, deliveries - i) }, (_, j) => serve.deliver(body, `idle-${i + j}`)),
      );
    }
    while ((await serve.queued()) > 0) await sleep(250);
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
    await serve.stop();
  }
}
