/**
 * `vendor-sync serve` in a process of its own, as the serve benchmarks drive it: started on a data
 * directory and a free port, its Shopify demo webhook secret, and how many messages wait in its queues.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { authorizationHeader, readAdminToken } from "../../local/admin-token.ts";
import { forwardedResult } from "../../local/forwarded-cli.ts";
import { ROOT } from "./fixtures.ts";
import { startServer, stopProcess } from "./processes.ts";
import { shopifyHeaders } from "./webhooks.ts";

/** A running `vendor-sync serve`. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** The `shopify-demo` vendor's webhook secret (the data directory's secrets.json). */
  readonly shopifySecret: string;
  /**
   * Sends a signed Shopify `products/update` delivery to the `shopify-demo` webhook and reads the answer.
   * @throws when serve answers other than 2xx.
   */
  deliver(body: Buffer, eventId: string): Promise<void>;
  /** @returns the messages in serve's queues (visible or in flight), through its own `dlq list`. */
  queued(): Promise<number>;
  /** Stops serve (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `vendor-sync serve --port 0 --data-dir <dataDir>` (Powertools logs at ERROR) and waits for
 * the line naming its URL.
 * @throws when serve exits before it listens (it is stopped first).
 */
export async function startServe(dataDir: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/vendor-sync.mjs"), "serve", "--port", "0", "--data-dir", dataDir],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, POWERTOOLS_LOG_LEVEL: "ERROR" } },
  );
  try {
    const base = await startServer(child, /(http:\/\/127\.0\.0\.1:\d+)/);
    const secrets = JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as Record<string, string>;
    const shopifySecret = secrets["vendor-sync/shopify-demo/webhook"] ?? "";
    return {
      child,
      base,
      shopifySecret,
      deliver: async (body, eventId) => {
        const response = await fetch(`${base}/webhooks/shopify-demo`, {
          method: "POST",
          headers: shopifyHeaders(shopifySecret, body, eventId),
          body,
        });
        await response.arrayBuffer();
        if (response.status >= 300) throw new Error(`delivery ${eventId} answered ${response.status}`);
      },
      queued: async () => {
        const response = await fetch(`${base}/_cli`, {
          method: "POST",
          headers: { "content-type": "application/json", ...authorizationHeader(readAdminToken(dataDir)) },
          body: JSON.stringify({ argv: ["dlq", "list", "--json"], cwd: ROOT }),
        });
        const answer = forwardedResult(await response.text());
        if (answer.exitCode !== 0) throw new Error(`dlq list failed: ${answer.stderr}`);
        const { queues } = JSON.parse(answer.stdout) as { queues: { messages: number }[] };
        return queues.reduce((total, queue) => total + queue.messages, 0);
      },
      stop: () => stopProcess(child),
    };
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}
