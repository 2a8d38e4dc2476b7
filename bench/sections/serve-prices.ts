/**
 * `serve` under deliveries whose prices change: `vendor-sync serve` in its own process takes signed
 * Shopify `products/update` deliveries (2,000, quick 200) for a few products (25, quick 10) in turn,
 * each with new prices and a newer `updated_at` than the product's previous one, 16 in flight. The
 * rate is deliveries ÷ the time from the first send until serve's queues are empty (every change
 * written or settled); the latency is each delivery's answer (202), p99. Per-record order is checked
 * from serve's change notifications (notifications.jsonl): each price record's last version carries
 * the time of its product's last delivery, and no version carries an older time than the one before.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { quantile } from "simple-statistics";
import { Figures } from "../lib/budget.ts";
import { ROOT } from "../lib/fixtures.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";
import { startServe } from "../lib/serve.ts";

/** Budgets (issue 13): deliveries/s, p99 ms. */
export const SERVE_PRICES_BUDGET_RPS = 400;
export const SERVE_PRICES_BUDGET_P99_MS = 100;
const IN_FLIGHT = 16;
/** The first delivery's `updated_at`; each next delivery is one second later. */
const BASE_TS = Date.UTC(2026, 0, 1);

/** Delivery `i` of product `p`: the bundled example with its own ids, SKUs, prices and time. */
function deliveryBody(template: Record<string, unknown>, p: number, i: number): Buffer {
  const at = new Date(BASE_TS + i * 1000).toISOString();
  const variants = (template.variants as Record<string, unknown>[]).map((variant, v) => ({
    ...variant,
    id: 9_000_000 + p * 10 + v,
    product_id: 8_000_000 + p,
    sku: `PRICE-${p}-${v}`,
    price: (10 + i / 100).toFixed(2),
    updated_at: at,
  }));
  return Buffer.from(
    JSON.stringify({ ...template, id: 8_000_000 + p, handle: `price-${p}`, updated_at: at, variants }),
  );
}

/** Price records whose last version is not their product's last delivery, and versions older than the one before. */
function orderFaults(dataDir: string, lastTsOf: Map<number, number>) {
  const versions = new Map<string, { version: number; sourceTs: number }[]>();
  for (const line of readFileSync(join(dataDir, "notifications.jsonl"), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { message } = JSON.parse(line) as {
      message: { entityType: string; entityKey: string; version: number; sourceTs: number };
    };
    if (message.entityType !== "price" || !message.entityKey.startsWith("PRICE-")) continue;
    versions.set(message.entityKey, [...(versions.get(message.entityKey) ?? []), message]);
  }
  let notLast = 0;
  let backwards = 0;
  for (const [key, list] of versions) {
    list.sort((a, b) => a.version - b.version);
    for (let i = 1; i < list.length; i++) if ((list[i]?.sourceTs ?? 0) < (list[i - 1]?.sourceTs ?? 0)) backwards++;
    const product = Number(key.split("-")[1]);
    if (list.at(-1)?.sourceTs !== lastTsOf.get(product)) notLast++;
  }
  return { records: versions.size, notLast, backwards };
}

export async function servePricesSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("servePrices");
  const deliveries = options.quick ? 200 : 2_000;
  const products = options.quick ? 10 : 25;
  const dataDir = join(options.tmpDir, "serve-prices");
  const serve = await startServe(dataDir);
  try {
    const template = JSON.parse(
      readFileSync(join(ROOT, "examples/webhooks/shopify/products-update.body.json"), "utf8"),
    ) as Record<string, unknown>;
    const bodies = Array.from({ length: deliveries }, (_, i) => deliveryBody(template, i % products, i));
    const lastTsOf = new Map<number, number>();
    for (let i = 0; i < deliveries; i++) lastTsOf.set(i % products, BASE_TS + i * 1000);
    options.log(`servePrices: ${deliveries} deliveries for ${products} products, ${IN_FLIGHT} in flight`);
    const limit = pLimit(IN_FLIGHT);
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      bodies.map((body, i) =>
        limit(async () => {
          const sent = performance.now();
          await serve.deliver(body, `price-${i}`);
          latencies.push(performance.now() - sent);
        }),
      ),
    );
    while ((await serve.queued()) > 0) await sleep(50);
    const seconds = (performance.now() - started) / 1000;
    const order = orderFaults(dataDir, lastTsOf);
    const p99 = quantile(latencies, 0.99);
    figures.budget(
      "deliveriesPerSecond",
      "`vendor-sync serve`, deliveries whose prices change: first send to queues drained",
      order.notLast + order.backwards === 0 ? deliveries / seconds : 0,
      "deliveries/s",
      ">=",
      SERVE_PRICES_BUDGET_RPS,
      `${deliveries} deliveries, ${products} products, ${IN_FLIGHT} in flight, ${seconds.toFixed(1)} s; order: ${order.records} price records, ${order.notLast} not at their last delivery, ${order.backwards} versions older than the one before (a fault counts the rate as 0)`,
    );
    figures.budget(
      "p99",
      "`vendor-sync serve`, deliveries whose prices change: answer (202) latency p99",
      p99,
      "ms",
      "<=",
      SERVE_PRICES_BUDGET_P99_MS,
      "each delivery's send to its answer; the write itself follows through the queue",
    );
    return { figures: figures.list, details: { deliveries, products, inFlight: IN_FLIGHT, seconds, p99, order } };
  } finally {
    await serve.stop();
  }
}
