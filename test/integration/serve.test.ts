/**
 * `vendor-sync serve` run as a user runs it (its own process, its own vendor folder and data
 * directory): deliveries signed by the vendors' own libraries, one log line per delivery, secret
 * rotation, configuration faults, and reloads on change and on SIGHUP.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { afterEach, describe, expect, it } from "vitest";
import { type ServeProcess, startServe, vendorFolder } from "../support/serve.ts";

const ACME = {
  id: "acme",
  name: "Acme",
  entityTypes: ["product", "price", "inventory"],
  defaultCurrency: "EUR",
  channels: { webhook: { scheme: "standard-webhooks", secretName: "vendor-sync/acme/webhook" } },
};
const SECRET = `whsec_${Buffer.from("acme signing key, test only!!!!!").toString("base64")}`;
const NEW_SECRET = `whsec_${Buffer.from("acme NEW signing key, test only!").toString("base64")}`;

const body = (sku: string) =>
  JSON.stringify({
    type: "product.updated",
    timestamp: new Date().toISOString(),
    data: { sku, name: "Joust Duffle Bag", price: { amount: "119.90", currency: "EUR" } },
  });

/** Posts a delivery signed by the svix library under `svix-*` headers (or the standardwebhooks one under `webhook-*`). */
async function post(
  serve: ServeProcess,
  vendor: string,
  id: string,
  secret: string,
  brand: "svix" | "webhook" = "svix",
) {
  const text = body(`SKU-${id}`);
  const now = new Date();
  const signature =
    brand === "svix" ? new SvixWebhook(secret).sign(id, now, text) : new StandardWebhook(secret).sign(id, now, text);
  const response = await fetch(`${serve.url}/webhooks/${vendor}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      [`${brand}-id`]: id,
      [`${brand}-timestamp`]: String(Math.floor(now.getTime() / 1000)),
      [`${brand}-signature`]: signature,
    },
    body: text,
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
}

let serve: ServeProcess | undefined;
afterEach(async () => {
  await serve?.stop();
  serve = undefined;
});

describe("vendor-sync serve: deliveries and its log", () => {
  it("accepts Svix- and Standard-Webhooks-signed deliveries and logs start, each delivery and shutdown", async () => {
    serve = await startServe({
      vendorsDir: vendorFolder({ acme: ACME }),
      secrets: { "vendor-sync/acme/webhook": SECRET },
    });
    expect(serve.stderr()).toContain(`listening on ${serve.url}  data directory ${serve.dataDir}`);

    const svix = await post(serve, "acme", "msg_svix_1", SECRET, "svix");
    const standard = await post(serve, "acme", "msg_std_1", SECRET, "webhook");
    const unknown = await post(serve, "nobody", "msg_x", SECRET);

    expect([svix, standard, unknown].map((r) => r.status)).toEqual([202, 202, 404]);
    expect(svix.body).toEqual({ eventId: "msg_svix_1" });
    await serve.waitFor(/webhook nobody {2}status: 404/);
    expect(serve.stderr()).toMatch(/webhook acme {2}status: 202 {2}eventId: msg_svix_1 {2}duration: \d+ ms\n/);
    expect(serve.stderr()).toMatch(/webhook acme {2}status: 202 {2}eventId: msg_std_1 {2}duration: \d+ ms\n/);
    const stopped = await serve.stop();
    serve = undefined;
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toMatch(/vendor-sync serve: stopped \(SIGINT\); data kept in .+\n$/);
  }, 90_000);
});

describe("vendor-sync serve: signing secrets", () => {
  it("accepts both secrets of a rotation stored as {current, previous} and says when the previous one was used", async () => {
    serve = await startServe({
      vendorsDir: vendorFolder({ acme: ACME }),
      secrets: { "vendor-sync/acme/webhook": { current: NEW_SECRET, previous: SECRET } },
    });
    expect((await post(serve, "acme", "msg_new", NEW_SECRET)).status).toBe(202);
    expect((await post(serve, "acme", "msg_old", SECRET)).status).toBe(202);
    await serve.waitFor(/eventId: msg_old {2}duration: \d+ ms {2}previousSecretUsed: true\n/);
    expect(serve.stderr()).toMatch(/eventId: msg_new {2}duration: \d+ ms\n/);
  }, 90_000);

  it("names the vendor of an unusable secret, answers its deliveries 503 with Retry-After, and takes the fix without a restart", async () => {
    serve = await startServe({
      vendorsDir: vendorFolder({ acme: ACME }),
      secrets: { "vendor-sync/acme/webhook": { current: "not base64!", previous: SECRET } },
    });
    expect(serve.stderr()).toMatch(
      /vendor acme has no usable signing secret \(vendor-sync\/acme\/webhook\): the current secret is not whsec_ followed by base64 for scheme standard-webhooks/,
    );

    const refused = await post(serve, "acme", "msg_1", SECRET);
    expect(refused).toMatchObject({ status: 503, retryAfter: "60" });
    await serve.waitFor(
      /configuration fault {2}vendor: acme {2}signing secret vendor-sync\/acme\/webhook: .*not whsec_/,
    );
    await serve.waitFor(/webhook acme {2}status: 503 {2}reason: configuration-fault/);

    // The vendor retries after the operator fixes the file: accepted, as Retry-After promised.
    const mark = serve.stderr().length;
    writeFileSync(join(serve.dataDir, "secrets.json"), JSON.stringify({ "vendor-sync/acme/webhook": SECRET }));
    await serve.waitFor(/signing secret of vendor acme changed/, mark);
    expect((await post(serve, "acme", "msg_1", SECRET)).status).toBe(202);
  }, 90_000);

  it("refuses an invalid edit of a working secret, keeping the last good one", async () => {
    serve = await startServe({
      vendorsDir: vendorFolder({ acme: ACME }),
      secrets: { "vendor-sync/acme/webhook": SECRET },
    });
    writeFileSync(
      join(serve.dataDir, "secrets.json"),
      JSON.stringify({ "vendor-sync/acme/webhook": { previous: SECRET } }),
    );
    await serve.waitFor(
      /refused the signing secret of vendor acme \(vendor-sync\/acme\/webhook\): the value "current" must be the new secret.*the last good one stays in use/,
    );
    expect((await post(serve, "acme", "msg_2", SECRET)).status).toBe(202);
  }, 90_000);
});

describe("vendor-sync serve: configuration reloads", () => {
  it("serves a vendor added while it runs, refuses an invalid edit (keeping the last good one) and reloads on SIGHUP", async () => {
    serve = await startServe({
      vendorsDir: vendorFolder({ acme: ACME }),
      secrets: { "vendor-sync/acme/webhook": SECRET, "vendor-sync/beta/webhook": SECRET },
    });
    expect((await post(serve, "beta", "msg_b1", SECRET)).status).toBe(404);

    let mark = serve.stderr().length;
    serve.writeVendor("beta", {
      ...ACME,
      id: "beta",
      channels: { webhook: { ...ACME.channels.webhook, secretName: "vendor-sync/beta/webhook" } },
    });
    await serve.waitFor(/reloaded \(file change\):\n {2}vendor beta added\n/, mark);
    expect((await post(serve, "beta", "msg_b1", SECRET)).status).toBe(202);

    mark = serve.stderr().length;
    serve.writeVendor("acme", {
      ...ACME,
      channels: { webhook: { ...ACME.channels.webhook, signatureHedaer: "X-Sig" } },
    });
    await serve.waitFor(
      /refused the configuration of vendor acme \(the last good one stays in use\):\n {4}\S*acme\.json: channels\.webhook: unknown key signatureHedaer \(did you mean signatureHeader\?\)\n/,
      mark,
    );
    expect((await post(serve, "acme", "msg_a1", SECRET)).status).toBe(202);

    mark = serve.stderr().length;
    serve.signal("SIGHUP");
    await serve.waitFor(/reloaded \(SIGHUP\)/, mark);
    expect(readFileSync(join(serve.dataDir, "secrets.json"), "utf8")).toContain("vendor-sync/beta/webhook");
  }, 90_000);
});
