/**
 * 6. Webhook path: the ingest function's CPU per request for a signed 10 KB Shopify delivery with
 * every AWS client mocked (aws-sdk-client-mock), in its own process; then `vendor-sync serve` (its
 * own process: the HTTP API, the same ingest handler, the queue and processor, dynalite) under
 * autocannon on loopback — a fixed count of signed deliveries, then a fixed duration — beside a bare
 * Node.js HTTP server answering 202, measured the same way in the same run.
 */
import { join } from "node:path";
import autocannon from "autocannon";
import { Figures } from "../lib/budget.ts";
import { lastJsonLine, spawnWorker, startServer, stopProcess, workerPath } from "../lib/processes.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";
import { type ServeProcess, startServe } from "../lib/serve.ts";
import { shopifyHeaders, shopifyProductBody } from "../lib/webhooks.ts";

/** Starts the bare Node.js server (answers 202 to everything, signed or not); resolves once it listens. */
async function startBareServer(): Promise<Pick<ServeProcess, "base" | "shopifySecret" | "stop">> {
  const child = spawnWorker(workerPath("bare-server.ts"));
  try {
    const base = await startServer(child, /(http:\/\/127\.0\.0\.1:\d+)/);
    return { base, shopifySecret: "bare", stop: () => stopProcess(child) };
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}

/** Connections autocannon keeps open (a vendor's parallel deliveries). */
const CONNECTIONS = 10;

/** What the ingest worker measured. */
export interface IngestCpu {
  readonly requests: number;
  readonly accepted: number;
  readonly bodyBytes: number;
  readonly changesPerDelivery: number;
  /** Product changes per delivery (each writes a platform-key item). */
  readonly productsPerDelivery: number;
  /** What the function logged per request (Powertools INFO lines, EMF), bytes. */
  readonly logBytesPerRequest: number;
  readonly messageBytes: number;
  readonly cpuUsPerRequest: number;
  readonly callsPerRequest: Readonly<Record<string, number>>;
}

interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

function load(url: string, body: Buffer, secret: string, bound: { amount: number } | { duration: number }) {
  let n = 0;
  const runId = Date.now().toString(36);
  return new Promise<LoadResult>((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        ...bound,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => ({
              ...request,
              body,
              headers: shopifyHeaders(secret, body, `bench-${runId}-${n++}`),
            }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          requests: result.requests.total,
          seconds: result.duration,
          requestsPerSecond: result.requests.total / result.duration,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors + result.timeouts,
        });
      },
    );
  });
}

export async function webhookSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("webhook");
  const requests = options.quick ? 300 : 5_000;
  options.log(`webhook: ingest handler CPU, ${requests} signed 10 KB deliveries, AWS clients mocked`);
  const cpu = await lastJsonLine<IngestCpu>(
    spawnWorker(workerPath("ingest-cpu.ts"), [String(requests)], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: "INFO", POWERTOOLS_DEV: "false" },
    }),
  );
  figures.info(
    "ingestCpu",
    `ingest handler CPU per request (${(cpu.bodyBytes / 1024).toFixed(1)} KB, SDK mocked)`,
    cpu.cpuUsPerRequest,
    "µs/request",
    `${cpu.accepted}/${cpu.requests} accepted (202); ${cpu.changesPerDelivery} changes per delivery; INFO logs on`,
  );

  const body = shopifyProductBody();
  const dataDir = join(options.tmpDir, "serve");
  const fixed = options.quick ? 300 : 5_000;
  const duration = options.quick ? 2 : 15;
  const warm = options.quick ? 50 : 200;
  const results: Record<string, { fixed: LoadResult; timed: LoadResult }> = {};
  for (const target of ["bare", "serve"] as const) {
    const server = target === "serve" ? await startServe(dataDir) : await startBareServer();
    try {
      const { base, shopifySecret: secret } = server;
      const url = `${base}/webhooks/shopify-demo`;
      options.log(`webhook: ${target}: ${fixed} deliveries, then ${duration} s`);
      await load(url, body, secret, { amount: warm }); // warm-up
      const fixedRun = await load(url, body, secret, { amount: fixed });
      const timedRun = await load(url, body, secret, { duration });
      results[target] = { fixed: fixedRun, timed: timedRun };
    } finally {
      await server.stop();
    }
  }
  const serve = results.serve as { fixed: LoadResult; timed: LoadResult };
  const bare = results.bare as { fixed: LoadResult; timed: LoadResult };
  figures.info(
    "serveRps",
    `vendor-sync serve: signed deliveries/s (${CONNECTIONS} connections, ${duration} s)`,
    serve.timed.requestsPerSecond,
    "req/s",
    `non-2xx ${serve.timed.non2xx}, errors ${serve.timed.errors}`,
  );
  figures.info("serveP99", `vendor-sync serve: p99 latency (${fixed} deliveries)`, serve.fixed.p99Ms, "ms");
  figures.info("bareRps", "bare Node.js server (202): req/s, same load", bare.timed.requestsPerSecond, "req/s");
  figures.info("bareP99", `bare Node.js server: p99 latency (${fixed} requests)`, bare.fixed.p99Ms, "ms");
  return { figures: figures.list, details: { ingest: cpu, connections: CONNECTIONS, serve, bare } };
}
