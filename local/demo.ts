/**
 * `npm run demo`: the main job on the bundled real examples, in a fresh sandbox data directory.
 * Imports the Magento Luma catalog (twice: the second run is all unchanged with zero writes) and a
 * canonical feed that shows every outcome; then follows one Shopify product, the Classic Varsity Top,
 * from two file exports through a REST pull of the store's API (with live progress) to signed
 * webhooks, and prints the open conflicts.
 */
import "./sandbox-env.ts";
import { createHmac } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import type { ChangeResult } from "../lambdas/core/changes/results.ts";
import { currencyExponent } from "../lambdas/core/currencies.ts";
import type { RejectEntry } from "../lambdas/core/import-pipeline.ts";
import type { PullEvent } from "../lambdas/core/jobs/step.ts";
import { countsReconcile } from "../lambdas/core/outcomes.ts";
import { silentLog } from "../lambdas/core/ports.ts";
import type { ProcessedMessage } from "../lambdas/core/realtime/webhook-processor.ts";
import { type ImportResult, importFile } from "./commands/import.ts";
import { formatJob } from "./commands/sync.ts";
import { currentOwner, foreignEntries, resolveDataDir } from "./data-dir.ts";
import { httpApiEvent } from "./http-api-events.ts";
import { SandboxJobsClient, waitForJob } from "./jobs-client.ts";
import { formatConflict, formatImportSummary } from "./output.ts";
import { openSandbox, type Sandbox } from "./sandbox.ts";
import { countCommands } from "./sdk-call-counter.ts";
import { createLocalServer, listen } from "./server.ts";
import { bold, plural } from "./terminal.ts";

const say = (text = "") => process.stdout.write(`${text}\n`);
const heading = (text: string) => say(`\n${bold(text, process.stdout)}`);

async function step(
  sandbox: Sandbox,
  title: string,
  vendorId: string,
  file: string,
  asOf: string,
  options: { show?: boolean } = {},
): Promise<ImportResult> {
  heading(title);
  say(`  $ npx vendor-sync import --vendor ${vendorId} ${file} --as-of ${asOf}`);
  const shown: ChangeResult[] = [];
  const result = await importFile(sandbox, {
    vendorId,
    file,
    asOf,
    ...(options.show ? { onResults: (results: readonly ChangeResult[]) => shown.push(...results) } : {}),
  });
  if (!countsReconcile(result.counts)) throw new Error(`counts of job ${result.jobId} do not reconcile`);
  say(formatImportSummary(result));
  if (options.show) {
    // Rows refused before the write path are in the rejects file, as a user would find them.
    if (result.rejectsFile) {
      for (const line of readFileSync(result.rejectsFile, "utf8").trim().split("\n")) {
        const entry = JSON.parse(line) as RejectEntry;
        shown.push({
          vendorId,
          entityType: (entry.entityType ?? "?") as ChangeResult["entityType"],
          entityKey: entry.entityKey ?? "?",
          eventId: entry.eventId ?? "",
          outcome: entry.outcome,
          reason: entry.reason,
          ...(entry.line === undefined ? {} : { line: entry.line }),
        });
      }
    }
    say("  what became of each change:");
    for (const r of shown.sort((a, b) => (a.line ?? 0) - (b.line ?? 0))) {
      say(
        `    line ${String(r.line ?? "-").padStart(2)}  ${r.entityType.padEnd(9)} ${r.entityKey.padEnd(10)} ${r.outcome.padEnd(10)} ${r.reason ?? ""}`,
      );
    }
  }
  return result;
}

/** One webhook delivery of the demo: what is sent and what the API answered. */
interface Delivery {
  readonly label: string;
  readonly status: number;
  readonly body: string;
}

/**
 * The real-time part: the sandbox's webhook API on a loopback port, Shopify deliveries signed with the
 * sandbox's secret (as the vendor would sign them), then the queue drained through the processor.
 */
async function realtimePart(sandbox: Sandbox): Promise<void> {
  heading("7. Real-time: signed Shopify webhooks → local API → queue → processor");
  const server = createLocalServer(sandbox, async () => ({
    exitCode: 1,
    stdout: "",
    stderr: "not available in the demo",
  }));
  const url = await listen(server, 0);
  say(
    `  webhook API: ${url}/webhooks/shopify-demo   (signing secret from ${relative(process.cwd(), join(sandbox.dataDir, "secrets.json"))})`,
  );
  const secret = sandbox.secrets.current("vendor-sync/shopify-demo/webhook");
  const post = async (label: string, topic: string, eventId: string, body: Buffer, options: { sign?: Buffer } = {}) => {
    const response = await fetch(`${url}/webhooks/shopify-demo`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-event-id": eventId,
        "x-shopify-webhook-id": `wh-${eventId}`,
        "x-shopify-triggered-at": new Date().toISOString(),
        "x-shopify-hmac-sha256": createHmac("sha256", secret)
          .update(options.sign ?? body)
          .digest("base64"),
      },
      body: new Uint8Array(body),
    });
    const delivery: Delivery = { label, status: response.status, body: await response.text() };
    say(`  ${delivery.status}  ${label.padEnd(58)} ${delivery.body}`);
    // The processor runs between deliveries, as it would on AWS within a second or so.
    await sandbox.realtimeDriver.drain();
  };
  const fixture = (name: string) => readFileSync(`examples/webhooks/shopify/${name}.body.json`);
  const update = fixture("products-update");
  const older = Buffer.from(
    update
      .toString("utf8")
      .replace('"updated_at":"2025-03-14T05:26:52-04:00"', '"updated_at":"2025-03-12T08:00:00-04:00"')
      .replaceAll('"54.00"', '"49.00"'),
  );
  const processed: ProcessedMessage[] = [];
  sandbox.events.on("processed", (p: ProcessedMessage) => processed.push(p));
  try {
    await post("products/update Classic Varsity Top (2025-03-14)", "products/update", "demo-evt-1", update);
    await trace(sandbox, "the products/update webhook of 2025-03-14");
    await post("the same delivery again (a retry)", "products/update", "demo-evt-1", update);
    await post("an older products/update arriving late (2025-03-12, 49.00)", "products/update", "demo-evt-0", older);
    await post("inventory_levels/update", "inventory_levels/update", "demo-evt-2", fixture("inventory_levels-update"));
    await post("orders/updated", "orders/updated", "demo-evt-3", fixture("orders-updated"));
    await post(
      "a tampered body (signature of the original)",
      "products/update",
      "demo-evt-4",
      Buffer.from(update.toString().replace("54.00", "5.40")),
      { sign: update },
    );
    await post("a body that is not JSON (validly signed)", "products/update", "demo-evt-5", Buffer.from("{not json"));
    await post("products/delete Classic Varsity Top", "products/delete", "demo-evt-6", fixture("products-delete"));
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  say("  what the processor made of each queued event:");
  for (const p of processed) {
    const tally = new Map<string, number>();
    for (const r of p.results) tally.set(r.outcome, (tally.get(r.outcome) ?? 0) + 1);
    const summary = [...tally].map(([outcome, n]) => `${n} ${outcome}`).join(", ") || p.note || "nothing to write";
    say(`    ${p.eventId.padEnd(28)} ${summary}`);
  }
  const price = await sandbox.records.get({ vendorId: "shopify-demo", entityType: "price", entityKey: "CVT-SM-GRY" });
  say(
    `  price CVT-SM-GRY now: ${price?.deleted ? "deleted" : JSON.stringify(price?.attributes)} (v${price?.version}, ${price?.source})`,
  );
  const lines = readFileSync(join(sandbox.dataDir, "notifications.jsonl"), "utf8").trim().split("\n").length;
  say(
    `  change notifications published so far: ${lines} (one per accepted change, in ${relative(process.cwd(), join(sandbox.dataDir, "notifications.jsonl"))})`,
  );
}

/** Pausing a vendor parks its changes; resuming processes them once; a poison message ends in the DLQ. */
async function operationsPart(sandbox: Sandbox): Promise<void> {
  heading("8. Operations: pause and resume a vendor; a message no consumer can read ends in the dead-letter queue");
  const secret = sandbox.secrets.current("vendor-sync/canonical/webhook");
  const body = Buffer.from(
    JSON.stringify({
      id: "evt_demo_paused",
      type: "price.updated",
      created: Math.floor(Date.now() / 1000),
      data: [
        {
          entityType: "price",
          entityKey: "24-UG06",
          sourceTs: "2026-11-01T11:00:00Z",
          attributes: { amount: "2.900", currency: "KWD" },
        },
      ],
    }),
  );
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex")}`;
  const { pauseVendorLocally, resumeVendorLocally, dlqList } = await import("./commands/operations.ts");
  await pauseVendorLocally(sandbox, "canonical", "demo");
  say("  $ npx vendor-sync vendor pause --vendor canonical");
  const response = await sandbox.ingest(
    httpApiEvent({
      routeKey: "POST /webhooks/{vendorId}",
      path: "/webhooks/canonical",
      pathParameters: { vendorId: "canonical" },
      headers: { "content-type": "application/json", "stripe-signature": signature, "user-agent": "demo" },
      body,
    }),
  );
  await sandbox.realtimeDriver.drain();
  const parked = await sandbox.pause.listParked("canonical");
  say(
    `  ${response.statusCode}  a canonical price webhook while paused: accepted and archived, ${parked.length} message parked outside the queue`,
  );
  const resumed = await resumeVendorLocally(sandbox, "canonical", "demo");
  await sandbox.realtimeDriver.drain();
  const price = await sandbox.records.get({ vendorId: "canonical", entityType: "price", entityKey: "24-UG06" });
  say(
    `  $ npx vendor-sync vendor resume --vendor canonical   → ${resumed.requeued} re-queued; price 24-UG06 now ${JSON.stringify(price?.attributes)} (v${price?.version})`,
  );

  // A message left on the queue by an older release, in a shape this processor cannot read.
  await sandbox.realtimeQueue.send({
    body: JSON.stringify({ kind: "webhook", version: 0, vendor: "canonical", payload: "…" }),
    attributes: { kind: "webhook" },
  });
  for (let i = 0; i < 200 && (await sandbox.realtimeQueue.peek()).length > 0; i++) {
    await sandbox.realtimeDriver.drain();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  for (const depth of await dlqList(sandbox)) {
    say(
      `  $ npx vendor-sync dlq list   → ${depth.queue}: ${depth.messages} queued, ${depth.deadLetterQueue}: ${plural(depth.deadLetters, "dead letter")}`,
    );
  }
  const [dead] = await sandbox.realtimeQueue.peek(sandbox.realtimeQueue.deadLetterName);
  if (dead) say(`    ${dead.messageId}: received ${dead.receiveCount}×, ${dead.deadLetterReason}`);
}

/** Minor units as decimal text in the currency's exponent (integer arithmetic, no floats). */
function money(amount: unknown, currency: unknown): string {
  if (typeof amount !== "number" || typeof currency !== "string") return "—";
  const exponent = currencyExponent(currency) ?? 2;
  const digits = String(Math.abs(amount)).padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  return `${amount < 0 ? "-" : ""}${whole}${exponent > 0 ? `.${digits.slice(-exponent)}` : ""} ${currency}`;
}

/** Prints where the followed product stands: title, the Small variant's price and stock, and who wrote them when. */
async function trace(sandbox: Sandbox, after: string): Promise<void> {
  const get = (entityType: "product" | "price" | "inventory", entityKey: string) =>
    sandbox.records.get({ vendorId: "shopify-demo", entityType, entityKey });
  const [product, price, stock] = await Promise.all([
    get("product", "classic-varsity-top"),
    get("price", "CVT-SM-GRY"),
    get("inventory", "CVT-SM-GRY"),
  ]);
  const by = (record: typeof product) =>
    record ? `${record.source}, ${new Date(record.sourceTs).toISOString().slice(0, 16)}Z, v${record.version}` : "—";
  say(`  ▸ Classic Varsity Top after ${after}:`);
  if (product?.deleted) {
    say(
      `      deleted (${by(product)}); price ${price?.deleted ? "deleted" : "kept"}, stock ${stock?.deleted ? "deleted" : "kept"}`,
    );
    return;
  }
  say(`      product "${String(product?.attributes.title ?? "—")}" (${by(product)})`);
  say(`      price CVT-SM-GRY ${money(price?.attributes.amount, price?.attributes.currency)} (${by(price)})`);
  say(`      stock CVT-SM-GRY ${String(stock?.attributes.available ?? "—")} (${by(stock)})`);
}

/**
 * The scheduled workflow, run on demand: a sync job for shopify-demo that pulls its REST API (the
 * sandbox's local vendor API serves the recorded pages over HTTP), with live progress per page and
 * the rate-limit hand-over the recorded 429 causes.
 */
async function pullPart(sandbox: Sandbox): Promise<void> {
  heading("6. Scheduled workflow, on demand: a REST pull of shopify-demo (its schedule runs the same every hour)");
  say("  $ npx vendor-sync sync --vendor shopify-demo --wait");
  say(
    `  vendor API: https://partners-demo.myshopify.com/admin/api/2025-10/products.json → served by the local vendor API at ${await sandbox.scheduled.vendorApi.origin()} (recorded pages, examples/vendor-apis/)`,
  );
  const onPull = (event: PullEvent) => {
    if (event.kind === "page") {
      const c = event.counts;
      say(
        `  page ${event.page}: ${plural(event.records, "product")} (${event.rowsRead} so far) → ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.stale} stale, ${c.rejected} rejected`,
      );
    } else {
      say(
        `  ${event.reason} (HTTP 429, Retry-After 2.0): checkpoint kept in the job; step ${event.step} follows in a message delayed ${event.delaySeconds} s`,
      );
    }
  };
  sandbox.events.on("pull", onPull);
  try {
    const client = new SandboxJobsClient(sandbox, { drive: true });
    const job = await client.startSync({ vendorId: "shopify-demo", mode: "incremental", dryRun: false });
    say(`  job ${job.jobId} ${job.status}: the vendor's lock is taken, step 1 is on the standard-priority queue`);
    const final = await waitForJob(client, job.jobId, {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      intervalMs: 200,
    });
    say(formatJob(final).replace(/^/gm, "  "));
    const state = await sandbox.sync.getVendorState("shopify-demo");
    if (state.pullWatermark !== undefined) {
      say(
        `  watermark stored: ${new Date(state.pullWatermark).toISOString()}; the next run asks for changes since 5 minutes before it (lookback)`,
      );
    }
    say(
      `  job notification published to ${relative(process.cwd(), join(sandbox.dataDir, "job-notifications.jsonl"))} (the jobs SNS topic on AWS)`,
    );
  } finally {
    sandbox.events.off("pull", onPull);
  }
  await trace(sandbox, "the REST pull (the API says the price went back to 60.00 on 2025-03-11)");
}

async function main(): Promise<void> {
  const dataDir = resolveDataDir(undefined);
  const owner = currentOwner(dataDir);
  if (owner) throw new DemoRefused(`${dataDir} is in use by process ${owner.pid} (${owner.command}); stop it first`);
  // The demo starts from an empty store, but never wipes a directory holding anything it did not write.
  const foreign = foreignEntries(dataDir);
  if (foreign.length > 0) {
    throw new DemoRefused(
      `${dataDir} holds files vendor-sync did not write (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}); ` +
        "the demo resets its data directory, so point VENDOR_SYNC_DATA_DIR at an empty or vendor-sync directory",
    );
  }
  const reset = existsSync(dataDir);
  if (reset) rmSync(dataDir, { recursive: true, force: true });
  say("Advanced Vendor Sync — demo on the bundled real examples");
  say(
    `data directory: ${relative(process.cwd(), dataDir) || dataDir} (${reset ? "reset: the demo starts from an empty store" : "new"}; inspect it afterwards with \`npx vendor-sync records --vendor <id>\`)`,
  );

  // What the handlers log (a rejected signature, a poison message) is shown in the demo's own output instead.
  const sandbox = await openSandbox({ dataDir, command: "demo", log: silentLog });
  const calls = countCommands(sandbox.dynamo.client, "demoCounter");
  try {
    const magento = await step(
      sandbox,
      "1. Magento 2 Luma sample catalog — 1,994 rows, HTML cells with line breaks, no timestamps (as-of time used)",
      "magento-luma",
      "examples/magento-luma/configurable_products.csv",
      "2026-11-01T06:00:00Z",
    );
    const recordWrites = () => calls.get(`PutItemCommand@${sandbox.dynamo.tables.records}`) ?? 0;
    const putsBefore = recordWrites();
    const again = await step(
      sandbox,
      "2. The same file again — every change unchanged, zero writes",
      "magento-luma",
      "examples/magento-luma/configurable_products.csv",
      "2026-11-01T06:00:00Z",
    );
    say(`  PutItem calls on the records table during the re-import: ${recordWrites() - putsBefore}`);
    if (again.counts.unchanged !== magento.counts.received) throw new Error("re-import was not 100 % unchanged");

    await step(
      sandbox,
      "3a. Canonical feed — baseline",
      "canonical",
      "examples/canonical/01-baseline.jsonl",
      "2026-11-01T08:00:00Z",
    );
    await step(
      sandbox,
      "3b. Canonical feed — an internal edit (source: internal) renames 24-MB01",
      "canonical",
      "examples/canonical/02-internal-edit.jsonl",
      "2026-11-01T09:00:00Z",
    );
    await step(
      sandbox,
      "3c. Canonical feed — vendor updates: updated, unchanged, stale, price guard, manual review, a bad row, a delete",
      "canonical",
      "examples/canonical/03-vendor-updates.jsonl",
      "2026-11-01T10:00:00Z",
      { show: true },
    );

    heading(
      "Following one product of shopify-demo — the Classic Varsity Top — from files, through its API, to webhooks",
    );
    await step(
      sandbox,
      "4. Shopify product export of 2025-03-01 — 47 columns (with Cost per item), continuation and image-only rows",
      "shopify-demo",
      "examples/shopify-demo/products_export_2025-03-01.csv",
      "2025-03-01T00:00:00-05:00",
    );
    await trace(sandbox, "the export of 2025-03-01");
    await step(
      sandbox,
      "5. Shopify export of 2025-03-08 — 46 columns (Cost per item dropped: cost left as it was); Classic Varsity Top 60 → 54",
      "shopify-demo",
      "examples/shopify-demo/products_export_2025-03-08.csv",
      "2025-03-08T00:00:00-05:00",
    );
    await trace(sandbox, "the export of 2025-03-08");
    await pullPart(sandbox);

    await realtimePart(sandbox);
    await operationsPart(sandbox);

    heading("9. Open conflicts waiting for an admin");
    const open = await sandbox.sync.listConflicts("canonical");
    for (const conflict of open) say(formatConflict(conflict));
    say(`\n${open.length} open conflicts. Look around afterwards:`);
    say("  npx vendor-sync conflicts list     npx vendor-sync conflicts resolve <id> --accept|--reject|--edit '{…}'");
    say(
      "  npx vendor-sync dlq list           npx vendor-sync dlq show realtime     npx vendor-sync dlq redrive realtime",
    );
    say("  npx vendor-sync records --vendor canonical --key 24-MB01");
  } finally {
    await sandbox.close();
  }
}

/** A reason not to start (a busy or foreign data directory): said plainly, without a stack. */
class DemoRefused extends Error {}

main().catch((error: unknown) => {
  const text =
    error instanceof DemoRefused
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`demo failed: ${text}\n`);
  process.exitCode = 1;
});
