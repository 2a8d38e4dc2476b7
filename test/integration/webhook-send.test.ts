/**
 * `vendor-sync vendors show` and `vendor-sync webhook send`, run as a user runs them against a running
 * `serve`: every signature scheme's delivery (its headers, a vendor's own header names, the platform
 * topic) is signed with the secret serve created and accepted, and the operator is told what went
 * wrong when no serve runs or an option does not apply.
 */
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";
import { type ServeProcess, startServe, vendorFolder } from "../support/serve.ts";

const vendor = (id: string, webhook: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id,
  name: `${id} store`,
  entityTypes: ["product", "price", "inventory", "order"],
  defaultCurrency: "EUR",
  ...extra,
  channels: { webhook: { secretName: `vendor-sync/${id}/webhook`, ...webhook }, ...(extra.channels ?? {}) },
});

const VENDORS = {
  shop: vendor("shop", { scheme: "shopify" }),
  woo: vendor("woo", { scheme: "woocommerce" }),
  stri: vendor("stri", { scheme: "stripe" }),
  acme: vendor("acme", {
    scheme: "standard-webhooks",
    idHeader: "X-Acme-Id",
    timestampHeader: "X-Acme-Timestamp",
    signatureHeader: "X-Acme-Signature",
  }),
  bigc: vendor(
    "bigc",
    { scheme: "bigcommerce", signatureHeader: "X-Webhook-Auth" },
    {
      channels: {
        pull: {
          baseUrl: "http://127.0.0.1:9/stores/abc123xyz",
          path: "/v3/catalog/products",
          secretName: "vendor-sync/bigc/token",
          auth: { type: "api-key-header", header: "X-Auth-Token" },
          paging: { style: "page-number", param: "page", pageSizeParam: "limit", pageSize: 2 },
          recordsPath: "data",
          resources: { product: { path: "/v3/catalog/products/{id}", recordPath: "data" } },
          pageTimeoutSeconds: 10,
          format: "bigcommerce-rest",
        },
      },
    },
  ),
};

const work = tempDir("webhook-send-");
const fixture = (path: string) => {
  const target = join(work, path.replaceAll("/", "-"));
  copyFileSync(repoPath(`test/fixtures/webhooks/${path}`), target);
  return target;
};
const canonical = join(work, "canonical.json");
writeFileSync(
  canonical,
  JSON.stringify({
    id: "evt_send_1",
    type: "product.updated",
    created: 1741944413,
    data: { sku: "SEND-1", name: "Trail Bottle", price: { amount: "19.90", currency: "EUR" } },
  }),
);

let serve: ServeProcess;
const env = () => ({ VENDOR_SYNC_VENDORS_DIR: serve.vendorsDir, VENDOR_SYNC_DATA_DIR: serve.dataDir });
const send = (args: readonly string[]) => runCli(["webhook", "send", ...args, "--json"], { env: env(), cwd: work });
const sent = (run: CliRun) => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { status: number; eventId: string; headers: string[]; response: unknown };
};

beforeAll(async () => {
  serve = await startServe({ vendorsDir: vendorFolder(VENDORS) });
}, 90_000);
afterAll(async () => {
  await serve?.stop();
});

describe("vendor-sync webhook send", () => {
  it.each([
    ["shop", "shopify/products-update.body.json", ["x-shopify-hmac-sha256", "x-shopify-topic"]],
    ["woo", "woocommerce/product-updated.body.json", ["x-wc-webhook-signature", "x-wc-webhook-topic"]],
    ["bigc", "bigcommerce/store-product-updated.body.json", ["x-webhook-auth"]],
  ])("signs %s's delivery of %s with its scheme and serve accepts it", async (id, path, headers) => {
    const delivery = sent(await send(["--vendor", id, fixture(path)]));
    expect(delivery.status).toBe(202);
    expect(delivery.headers.map((h) => h.toLowerCase())).toEqual(expect.arrayContaining(headers));
    await serve.waitFor(new RegExp(`webhook ${id} {2}status: 202 {2}eventId: `));
  });

  it("signs Stripe-style deliveries of our canonical envelope, the event id being the body's id", async () => {
    const delivery = sent(await send(["--vendor", "stri", canonical]));
    expect(delivery).toMatchObject({ status: 202, response: { eventId: "evt_send_1" } });
    expect(delivery.headers).toContain("Stripe-Signature");
  });

  it("sends under a vendor's own header names when its configuration overrides them", async () => {
    const delivery = sent(
      await send([
        "--vendor",
        "acme",
        fixture("standard-webhooks/product-updated.body.json"),
        "--event-id",
        "msg_own_1",
      ]),
    );
    expect(delivery).toMatchObject({ status: 202, eventId: "msg_own_1", response: { eventId: "msg_own_1" } });
    expect(delivery.headers).toEqual(expect.arrayContaining(["X-Acme-Id", "X-Acme-Timestamp", "X-Acme-Signature"]));
  });

  it("sends the platform topic --topic names", async () => {
    const delivery = sent(
      await send(["--vendor", "shop", fixture("shopify/products-delete.body.json"), "--topic", "products/delete"]),
    );
    expect(delivery.status).toBe(202);
    expect(delivery.headers).toContain("X-Shopify-Topic");
  });

  it("signs with the secrets serve created for each vendor", () => {
    const secrets = JSON.parse(readFileSync(join(serve.dataDir, "secrets.json"), "utf8")) as Record<string, string>;
    expect(Object.keys(secrets)).toEqual(
      expect.arrayContaining(["acme", "bigc", "shop", "stri", "woo"].map((id) => `vendor-sync/${id}/webhook`)),
    );
    expect(secrets["vendor-sync/acme/webhook"]).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  });

  it("refuses --topic for a payload format whose type is in the body", async () => {
    const run = await runCli(["webhook", "send", "--vendor", "stri", canonical, "--topic", "x"], {
      env: env(),
      cwd: work,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--topic: payloadFormat canonical carries its event type in the body");
  });

  it("says how to start serve when none runs on the data directory", async () => {
    const dataDir = tempDir();
    const run = await runCli(["webhook", "send", "--vendor", "stri", canonical, "--data-dir", dataDir], {
      env: { VENDOR_SYNC_VENDORS_DIR: serve.vendorsDir },
      cwd: work,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `vendor-sync: no vendor-sync serve runs on ${dataDir}: start it (npx vendor-sync serve), or pass --url, or --target aws\n`,
    );
  });
});

describe("vendor-sync vendors show", () => {
  it("prints one JSON object under --json: serve's URL, the vendor's own header names and where its secret is", async () => {
    const run = await runCli(["vendors", "show", "--vendor", "acme", "--json"], { env: env() });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      vendorId: "acme",
      webhook: {
        url: `${serve.url}/webhooks/acme`,
        urlSource: "serve",
        scheme: "standard-webhooks",
        headers: [{ id: "X-Acme-Id", timestamp: "X-Acme-Timestamp", signature: "X-Acme-Signature" }],
        secret: { name: "vendor-sync/acme/webhook", sandbox: { status: "set" } },
      },
    });
  });

  it("reads the secrets file of the --data-dir typed after show", async () => {
    const dataDir = tempDir();
    const run = await runCli(["vendors", "show", "--vendor", "acme", "--data-dir", dataDir], {
      env: { VENDOR_SYNC_VENDORS_DIR: serve.vendorsDir },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `sandbox: ${join(dataDir, "secrets.json")} (not created yet: vendor-sync serve creates it)`,
    );
  });

  it("shows a pulled vendor's channels, its connector and secret, and when its schedule fires next", async () => {
    const run = await runCli(["vendors", "show", "--vendor", "shopify-demo", "--data-dir", tempDir()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^ {2}pull {11}shopify-rest from https:\/\/partners-demo\.myshopify\.com, auth api-key-header \(secret vendor-sync\/shopify-demo\/admin-token\)$/m,
    );
    const next = /^ {2}schedule {7}rate\(1 hour\) \(America\/New_York\); next (\S+), (\S+), (\S+)$/m.exec(run.stdout);
    expect(next, run.stdout).not.toBeNull();
    const times = (next as RegExpExecArray).slice(1).map((t) => Date.parse(t));
    expect(times.slice(1).map((t, i) => t - (times[i] as number))).toEqual([3_600_000, 3_600_000]);
  });
});
