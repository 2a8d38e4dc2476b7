import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { timingSafeEqualBytes, timingSafeEqualText } from "../../../../lambdas/core/webhooks/constant-time.ts";
import {
  type VerifyWebhookInput,
  verifyWebhookSignature,
  wpSpecialcharsDecode,
} from "../../../../lambdas/core/webhooks/signatures.ts";
import { FIXTURE_SENT_AT_MS, fixtureBytes } from "./fixtures.ts";

const SECRET = "test-secret-NOT-REAL-current";
const PREVIOUS = "test-secret-NOT-REAL-previous";
const STRIPE_SECRET = "whsec_test_NOT_REAL_current";
const SW_SECRET = `whsec_${Buffer.from("standard-webhooks key, test only!").toString("base64")}`;
const T = 1_741_944_413; // seconds

/** A body whose bytes differ from what JSON.parse + JSON.stringify would give back. */
const PHP_STYLE_BODY = Buffer.from(
  '{"url":"https:\\/\\/vendor.example\\/p\\/1","name":"Caf\\u00e9","note":"line\\u2028sep","price":"18"}   ',
  "utf8",
);

const base64Hmac = (key: string | Buffer, ...parts: (string | Buffer)[]) => {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest("base64");
};
const hexHmac = (key: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(part);
  return mac.digest("hex");
};
const swKey = (secret: string) => Buffer.from(secret.slice("whsec_".length), "base64");

function stripeInput(header: string | undefined, overrides: Partial<VerifyWebhookInput> = {}): VerifyWebhookInput {
  return {
    scheme: "stripe",
    body: PHP_STYLE_BODY,
    headers: header === undefined ? {} : { "Stripe-Signature": header },
    secrets: [STRIPE_SECRET],
    now: T * 1000,
    ...overrides,
  };
}

const validStripeHeader = (t: number | string = T, body: Buffer = PHP_STYLE_BODY, secret = STRIPE_SECRET) =>
  `t=${t},v1=${hexHmac(secret, `${t}.`, body)}`;

function flipOneByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[10] = (copy[10] as number) ^ 0x01;
  return copy;
}

describe("verifyWebhookSignature on exact bytes", () => {
  it("the test body really differs from its JSON re-serialization", () => {
    // Assess
    expect(Buffer.from(JSON.stringify(JSON.parse(PHP_STYLE_BODY.toString("utf8"))))).not.toEqual(PHP_STYLE_BODY);
  });

  const signed: Array<[string, (body: Buffer) => VerifyWebhookInput]> = [
    [
      "shopify",
      (body) => ({
        scheme: "shopify",
        body,
        headers: { "X-Shopify-Hmac-Sha256": base64Hmac(SECRET, PHP_STYLE_BODY) },
        secrets: [SECRET],
        now: 0,
      }),
    ],
    [
      "woocommerce",
      (body) => ({
        scheme: "woocommerce",
        body,
        headers: {
          "X-WC-Webhook-Signature": base64Hmac(SECRET, PHP_STYLE_BODY),
          "X-WC-Webhook-Topic": "product.updated",
        },
        secrets: [SECRET],
        now: 0,
      }),
    ],
    ["stripe", (body) => stripeInput(validStripeHeader(), { body })],
    [
      "standard-webhooks",
      (body) => ({
        scheme: "standard-webhooks",
        body,
        headers: {
          "webhook-id": "msg_1",
          "webhook-timestamp": String(T),
          "webhook-signature": `v1,${base64Hmac(swKey(SW_SECRET), `msg_1.${T}.`, PHP_STYLE_BODY)}`,
        },
        secrets: [SW_SECRET],
        now: T * 1000,
      }),
    ],
  ];

  it.each(signed)(
    "%s: accepts the body exactly as signed (escaped \\/, \\u00e9, \\u2028, trailing spaces)",
    (_, input) => {
      // Act
      const result = verifyWebhookSignature(input(PHP_STYLE_BODY));

      // Assess
      expect(result.ok).toBe(true);
    },
  );

  it.each(signed)("%s: fails when one byte of the body is flipped", (_, input) => {
    // Act
    const result = verifyWebhookSignature(input(flipOneByte(PHP_STYLE_BODY)));

    // Assess
    expect(result).toEqual({ ok: false, reason: "bad-signature" });
  });

  it.each(signed)("%s: fails when the body is re-serialized JSON", (_, input) => {
    // Prepare
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(PHP_STYLE_BODY.toString("utf8"))));

    // Act
    const result = verifyWebhookSignature(input(reserialized));

    // Assess
    expect(result.ok).toBe(false);
  });
});

describe("malformed Stripe-style headers fail without throwing", () => {
  const sig = hexHmac(STRIPE_SECRET, `${T}.`, PHP_STYLE_BODY);
  it.each([
    ["a short v1", `t=${T},v1=abc`, "bad-signature"],
    ["an empty v1", `t=${T},v1=`, "bad-signature"],
    ["64 non-hex characters", `t=${T},v1=${"z".repeat(64)}`, "bad-signature"],
    ["a multibyte character", `t=${T},v1=${sig.slice(0, 63)}é`, "bad-signature"],
    ["multibyte characters of the right byte length", `t=${T},v1=${"é".repeat(32)}`, "bad-signature"],
    ["only an unknown version", `t=${T},v9=${sig}`, "unsupported-signature-version"],
    ["only v0 with the right digest", `t=${T},v0=${sig}`, "unsupported-signature-version"],
    ["no timestamp", `v1=${sig}`, "missing-timestamp"],
    ["a non-numeric timestamp", `t=soon,v1=${sig}`, "invalid-timestamp"],
    ["two timestamps", `t=${T},t=${T},v1=${sig}`, "malformed-signature"],
    ["no key=value pairs", "garbage", "malformed-signature"],
    ["an empty header", "", "missing-signature"],
    ["no header", undefined, "missing-signature"],
  ])("%s", (_, header, reason) => {
    // Prepare
    const input = stripeInput(header);

    // Act
    const act = () => verifyWebhookSignature(input);

    // Assess
    expect(act).not.toThrow();
    expect(act()).toEqual({ ok: false, reason });
  });

  it("reads the header in any case and under a configured name", () => {
    // Prepare
    const lower = stripeInput(undefined, { headers: { "stripe-signature": validStripeHeader() } });
    const custom = stripeInput(undefined, {
      headers: { "X-Vendor-Signature": validStripeHeader() },
      signatureHeader: "x-vendor-signature",
    });

    // Act / Assess
    expect(verifyWebhookSignature(lower).ok).toBe(true);
    expect(verifyWebhookSignature(custom).ok).toBe(true);
  });

  it("accepts a signature with spaces after the commas", () => {
    // Prepare
    const input = stripeInput(`t=${T}, v1=${sig}`);

    // Act / Assess
    expect(verifyWebhookSignature(input).ok).toBe(true);
  });
});

describe("timestamp window", () => {
  it.each([
    ["1 h old", T - 3600, "stale-timestamp"],
    ["301 s old", T - 301, "stale-timestamp"],
    ["15 min ahead", T + 900, "future-timestamp"],
  ])("rejects a signature %s", (_, t, reason) => {
    // Prepare
    const input = stripeInput(validStripeHeader(t));

    // Act
    const result = verifyWebhookSignature(input);

    // Assess
    expect(result).toEqual({ ok: false, reason });
  });

  it.each([
    ["20 s ahead", T + 20],
    ["300 s old", T - 300],
  ])("accepts a signature %s", (_, t) => {
    // Prepare
    const input = stripeInput(validStripeHeader(t));

    // Act
    const result = verifyWebhookSignature(input);

    // Assess
    expect(result).toMatchObject({ ok: true, signedAt: t * 1000 });
  });

  it("accepts millisecond timestamps for a vendor configured with unit ms", () => {
    // Prepare
    const tMs = T * 1000 + 250;
    const input = stripeInput(validStripeHeader(tMs), { timestampUnit: "ms", now: T * 1000 + 20_000 });

    // Act
    const result = verifyWebhookSignature(input);

    // Assess
    expect(result).toMatchObject({ ok: true, signedAt: tMs });
  });

  it("rejects millisecond timestamps read as seconds (a vendor configured wrongly)", () => {
    // Prepare
    const input = stripeInput(validStripeHeader(T * 1000));

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "future-timestamp" });
  });

  it("honours a vendor's own tolerance", () => {
    // Prepare
    const input = stripeInput(validStripeHeader(T - 60), { toleranceSeconds: 30 });

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "stale-timestamp" });
  });

  it("rejects Standard Webhooks deliveries without webhook-timestamp or webhook-id", () => {
    // Prepare
    const signature = `v1,${base64Hmac(swKey(SW_SECRET), `msg_1.${T}.`, PHP_STYLE_BODY)}`;
    const common = { scheme: "standard-webhooks" as const, body: PHP_STYLE_BODY, secrets: [SW_SECRET], now: T * 1000 };

    // Act
    const noTimestamp = verifyWebhookSignature({
      ...common,
      headers: { "webhook-id": "msg_1", "webhook-signature": signature },
    });
    const noId = verifyWebhookSignature({
      ...common,
      headers: { "webhook-timestamp": String(T), "webhook-signature": signature },
    });

    // Assess
    expect(noTimestamp).toEqual({ ok: false, reason: "missing-timestamp" });
    expect(noId).toEqual({ ok: false, reason: "missing-webhook-id" });
  });
});

describe("secret rotation", () => {
  it("accepts a Shopify delivery signed with the previous secret and says so", () => {
    // Prepare
    const body = fixtureBytes("shopify/products-delete.body.json");
    const input: VerifyWebhookInput = {
      scheme: "shopify",
      body,
      headers: { "x-shopify-hmac-sha256": base64Hmac(PREVIOUS, body) },
      secrets: [SECRET, PREVIOUS],
      now: FIXTURE_SENT_AT_MS,
    };

    // Act
    const result = verifyWebhookSignature(input);

    // Assess
    expect(result).toEqual({ ok: true, scheme: "shopify", secretIndex: 1 });
  });

  it("rejects a secret that is no longer configured", () => {
    // Prepare
    const input = stripeInput(validStripeHeader(T, PHP_STYLE_BODY, "whsec_retired"), {
      secrets: [STRIPE_SECRET, "whsec_previous"],
    });

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "bad-signature" });
  });

  it("ignores empty and undecodable secrets and still reports the caller's index", () => {
    // Prepare
    const input: VerifyWebhookInput = {
      scheme: "standard-webhooks",
      body: PHP_STYLE_BODY,
      headers: {
        "webhook-id": "msg_1",
        "webhook-timestamp": String(T),
        "webhook-signature": `v1,${base64Hmac(swKey(SW_SECRET), `msg_1.${T}.`, PHP_STYLE_BODY)}`,
      },
      secrets: ["", "whsec_%%%not-base64", SW_SECRET],
      now: T * 1000,
    };

    // Act / Assess
    expect(verifyWebhookSignature(input)).toMatchObject({ ok: true, secretIndex: 2 });
  });

  it.each([[[]], [[""]]])("fails closed with no usable secret (%j)", (secrets) => {
    // Prepare
    const input = stripeInput(validStripeHeader(), { secrets });

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "no-usable-secret" });
  });
});

describe("WooCommerce and BigCommerce specifics", () => {
  it("decodes an HTML-escaped WooCommerce secret before signing, as WordPress does", () => {
    // Prepare
    const stored = "a&amp;b&lt;c&quot;d&#039;e";
    const body = Buffer.from('{"id":48}');
    const input: VerifyWebhookInput = {
      scheme: "woocommerce",
      body,
      headers: { "X-WC-Webhook-Signature": base64Hmac("a&b<c\"d'e", body), "X-WC-Webhook-Topic": "product.deleted" },
      secrets: [stored],
      now: 0,
    };

    // Act / Assess
    expect(wpSpecialcharsDecode("&amp;lt;")).toBe("&lt;");
    expect(verifyWebhookSignature(input).ok).toBe(true);
  });

  it("does not take an unsigned JSON delivery for a ping", () => {
    // Prepare
    const input: VerifyWebhookInput = {
      scheme: "woocommerce",
      body: Buffer.from('{"id":48}'),
      headers: { "X-WC-Webhook-Topic": "product.deleted" },
      secrets: [SECRET],
      now: 0,
    };

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "missing-signature" });
  });

  it("fails a BigCommerce vendor whose shared-secret header name is not configured", () => {
    // Prepare
    const input: VerifyWebhookInput = {
      scheme: "bigcommerce",
      body: Buffer.from("{}"),
      headers: { "X-Vendor-Hook-Token": SECRET },
      secrets: [SECRET],
      now: 0,
    };

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "missing-header-config" });
  });

  it.each([
    ["a longer value", `${SECRET}x`],
    ["a prefix", SECRET.slice(0, 5)],
    ["an empty value", ""],
    ["a multibyte value", "é".repeat(SECRET.length)],
  ])("rejects a BigCommerce header with %s", (_, value) => {
    // Prepare
    const input: VerifyWebhookInput = {
      scheme: "bigcommerce",
      body: Buffer.from("{}"),
      headers: { "x-vendor-hook-token": value },
      secrets: [SECRET],
      now: 0,
      signatureHeader: "X-Vendor-Hook-Token",
    };

    // Act / Assess
    expect(verifyWebhookSignature(input).ok).toBe(false);
  });

  it("rejects an unknown scheme from an unvalidated config instead of throwing", () => {
    // Prepare
    const input = { ...stripeInput(validStripeHeader()), scheme: "github" } as unknown as VerifyWebhookInput;

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "unsupported-scheme" });
  });
});

describe("constant-time comparison never throws", () => {
  it.each([
    ["different lengths", Buffer.from("abc"), Buffer.from("abcd"), false],
    ["empty sides", Buffer.alloc(0), Buffer.alloc(0), false],
    ["equal bytes", Buffer.from("abc"), Buffer.from("abc"), true],
  ])("bytes: %s", (_, a, b, expected) => {
    // Act / Assess
    expect(timingSafeEqualBytes(a, b)).toBe(expected);
  });

  it.each([
    ["different lengths", "abc", "abcd", false],
    ["multibyte vs ASCII of equal length", "ééé", "abc", false],
    ["empty vs empty", "", "", false],
    ["equal multibyte text", "zürich—✓", "zürich—✓", true],
  ])("text: %s", (_, a, b, expected) => {
    // Act / Assess
    expect(timingSafeEqualText(a, b)).toBe(expected);
  });
});

describe("input an adapter got wrong", () => {
  it.each([
    ["a string body", { body: "{}" }],
    ["no headers", { headers: null }],
    ["no secrets list", { secrets: "whsec_x" }],
    ["no clock", { now: Number.NaN }],
  ])("reports %s instead of throwing", (_, override) => {
    // Prepare
    const input = { ...stripeInput(validStripeHeader()), ...override } as unknown as VerifyWebhookInput;

    // Act / Assess
    expect(verifyWebhookSignature(input)).toEqual({ ok: false, reason: "malformed-request" });
  });
});
