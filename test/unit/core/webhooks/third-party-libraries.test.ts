/**
 * Our verifier against the vendors' own libraries, both ways: what their signers produce, we accept;
 * what `signWebhookDelivery` produces (what `vendor-sync webhook send` posts), their verifiers accept.
 * WooCommerce has no Node library: its documented algorithm is written out here instead.
 */
import { createHmac } from "node:crypto";
import { shopifyApi } from "@shopify/shopify-api";
import "@shopify/shopify-api/adapters/web-api";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import { signWebhookDelivery, verifyWebhookSignature } from "../../../../lambdas/core/webhooks/signatures.ts";

const BODY = Buffer.from('{"id":"evt_1","type":"price.updated","created":1741944413,"data":{"sku":"Caf\\u00e9"}}');
const NOW = Date.now();
const SW_SECRET = `whsec_${Buffer.from("standard-webhooks key, test only!").toString("base64")}`;

describe("Standard Webhooks and Svix", () => {
  it("accepts a delivery signed by the standardwebhooks library (webhook-* headers)", () => {
    const signature = new StandardWebhook(SW_SECRET).sign("msg_std_1", new Date(NOW), BODY);
    const headers = {
      "webhook-id": "msg_std_1",
      "webhook-timestamp": String(Math.floor(NOW / 1000)),
      "webhook-signature": signature,
    };
    expect(
      verifyWebhookSignature({ scheme: "standard-webhooks", body: BODY, headers, secrets: [SW_SECRET], now: NOW }),
    ).toMatchObject({
      ok: true,
      webhookId: "msg_std_1",
    });
  });

  it("accepts a delivery signed by the svix library under svix-* headers", () => {
    const signature = new SvixWebhook(SW_SECRET).sign("msg_svix_1", new Date(NOW), BODY.toString("utf8"));
    const headers = {
      "svix-id": "msg_svix_1",
      "svix-timestamp": String(Math.floor(NOW / 1000)),
      "svix-signature": signature,
    };
    expect(
      verifyWebhookSignature({ scheme: "standard-webhooks", body: BODY, headers, secrets: [SW_SECRET], now: NOW }),
    ).toMatchObject({
      ok: true,
      webhookId: "msg_svix_1",
    });
  });

  it("signs deliveries both libraries verify", () => {
    const headers = signWebhookDelivery({
      scheme: "standard-webhooks",
      body: BODY,
      secret: SW_SECRET,
      now: NOW,
      messageId: "msg_ours_1",
    });
    expect(Object.keys(headers).sort()).toEqual(["webhook-id", "webhook-signature", "webhook-timestamp"]);
    expect(() => new StandardWebhook(SW_SECRET).verify(BODY, headers)).not.toThrow();
    expect(() => new SvixWebhook(SW_SECRET).verify(BODY.toString("utf8"), headers)).not.toThrow();
  });

  it("refuses a svix-signed delivery whose body was changed", () => {
    const signature = new SvixWebhook(SW_SECRET).sign("msg_svix_2", new Date(NOW), BODY.toString("utf8"));
    const headers = {
      "svix-id": "msg_svix_2",
      "svix-timestamp": String(Math.floor(NOW / 1000)),
      "svix-signature": signature,
    };
    const changed = Buffer.from(BODY.toString("utf8").replace("Caf", "Kaf"));
    expect(
      verifyWebhookSignature({ scheme: "standard-webhooks", body: changed, headers, secrets: [SW_SECRET], now: NOW }),
    ).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });

  it("reads only the vendor's own names once it overrides them", () => {
    const signature = new SvixWebhook(SW_SECRET).sign("msg_3", new Date(NOW), BODY.toString("utf8"));
    const svix = { "svix-id": "msg_3", "svix-timestamp": String(Math.floor(NOW / 1000)), "svix-signature": signature };
    const custom = { "x-acme-id": "msg_3", "x-acme-timestamp": svix["svix-timestamp"], "x-acme-signature": signature };
    const overrides = {
      idHeader: "X-Acme-Id",
      timestampHeader: "X-Acme-Timestamp",
      signatureHeader: "X-Acme-Signature",
    };
    const verify = (headers: Record<string, string>) =>
      verifyWebhookSignature({
        scheme: "standard-webhooks",
        body: BODY,
        headers,
        secrets: [SW_SECRET],
        now: NOW,
        ...overrides,
      });
    expect(verify(custom)).toMatchObject({ ok: true });
    expect(verify(svix)).toEqual({ ok: false, reason: "missing-signature" });
  });
});

describe("Stripe", () => {
  const secret = "whsec_test_NOT_REAL_stripe";
  const stripe = new Stripe("sk_test_NOT_REAL");

  it("accepts a header made by the stripe library", () => {
    const header = stripe.webhooks.generateTestHeaderString({
      payload: BODY.toString("utf8"),
      secret,
      timestamp: Math.floor(NOW / 1000),
    });
    expect(
      verifyWebhookSignature({
        scheme: "stripe",
        body: BODY,
        headers: { "Stripe-Signature": header },
        secrets: [secret],
        now: NOW,
      }),
    ).toMatchObject({ ok: true, secretIndex: 0 });
  });

  it("signs deliveries stripe.webhooks.constructEvent accepts", () => {
    const headers = signWebhookDelivery({ scheme: "stripe", body: BODY, secret, now: NOW, messageId: "unused" });
    const event = stripe.webhooks.constructEvent(BODY, headers["Stripe-Signature"] as string, secret);
    expect(event.id).toBe("evt_1");
  });
});

describe("Shopify", () => {
  const secret = "shpss_test_NOT_REAL";

  it("accepts a body signed with @shopify/shopify-api's own HMAC helper", () => {
    const header = getHmac(BODY.toString("utf8"), secret);
    expect(
      verifyWebhookSignature({
        scheme: "shopify",
        body: BODY,
        headers: { "X-Shopify-Hmac-Sha256": header },
        secrets: [secret],
        now: NOW,
      }),
    ).toMatchObject({ ok: true });
  });

  it("signs deliveries shopify.webhooks.validate accepts", async () => {
    const shopify = shopifyApi({
      apiKey: "test-key",
      apiSecretKey: secret,
      hostName: "vendor-sync.example",
      apiVersion: "2025-10" as never,
      isEmbeddedApp: false,
      logger: { log: () => {} },
    });
    const signed = signWebhookDelivery({ scheme: "shopify", body: BODY, secret, now: NOW, messageId: "unused" });
    const rawRequest = new Request("https://vendor-sync.example/webhooks/shop", {
      method: "POST",
      body: BODY,
      headers: {
        ...signed,
        "X-Shopify-Topic": "products/update",
        "X-Shopify-Shop-Domain": "partners-demo.myshopify.com",
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      },
    });
    const result = await shopify.webhooks.validate({ rawBody: BODY.toString("utf8"), rawRequest });
    expect(result).toMatchObject({ valid: true, topic: "PRODUCTS_UPDATE" });
  });
});

describe("WooCommerce, against its documented algorithm", () => {
  // class-wc-webhook.php generate_signature():
  //   base64_encode( hash_hmac( 'sha256', $payload, wp_specialchars_decode( $this->get_secret(), ENT_QUOTES ), true ) )
  const stored = "s3cr&amp;t&#039;NOT&lt;REAL";
  const decoded = "s3cr&t'NOT<REAL";
  const documented = createHmac("sha256", decoded).update(BODY).digest("base64");

  it("accepts the documented signature under the secret as WooCommerce stores it", () => {
    expect(
      verifyWebhookSignature({
        scheme: "woocommerce",
        body: BODY,
        headers: { "X-WC-Webhook-Signature": documented, "X-WC-Webhook-Topic": "product.updated" },
        secrets: [stored],
        now: NOW,
      }),
    ).toMatchObject({ ok: true });
  });

  it("signs exactly the documented signature", () => {
    expect(
      signWebhookDelivery({ scheme: "woocommerce", body: BODY, secret: stored, now: NOW, messageId: "unused" }),
    ).toEqual({
      "X-WC-Webhook-Signature": documented,
    });
  });
});
