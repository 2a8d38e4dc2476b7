import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { getHeader } from "../../../../lambdas/core/webhooks/headers.ts";
import { type VerifyWebhookInput, verifyWebhookSignature } from "../../../../lambdas/core/webhooks/signatures.ts";
import { fixtureBytes, fixtureHeaders, type SignatureVector, signatureVectors } from "./fixtures.ts";

const vectors = signatureVectors();

/** Builds the verifier input a vendor config with this vector's scheme would produce. */
function inputFor(vector: SignatureVector): VerifyWebhookInput {
  const base = {
    body: fixtureBytes(vector.body),
    headers: fixtureHeaders(vector.headers),
    secrets: [vector.secret],
    now: (vector.now ?? 0) * 1000,
    ...(vector.toleranceSeconds === undefined ? {} : { toleranceSeconds: vector.toleranceSeconds }),
  };
  switch (vector.scheme) {
    case "shopify":
      return { ...base, scheme: "shopify" };
    case "woocommerce":
    case "woocommerce-ping":
      return { ...base, scheme: "woocommerce" };
    case "custom-header":
      return { ...base, scheme: "bigcommerce", signatureHeader: vector.headerName as string };
    case "stripe":
    case "stripe-wrong-key-derivation":
      return { ...base, scheme: "stripe" };
    case "standard-webhooks":
    case "standard-webhooks-wrong-key-derivation":
      return { ...base, scheme: "standard-webhooks" };
  }
}

/**
 * The signature a sender that derived its key the wrong way would send: the vectors' "wrong key
 * derivation" cases say such a signature must not verify.
 */
function wronglyDerivedSignatureHeaders(vector: SignatureVector): Record<string, string> {
  const body = fixtureBytes(vector.body);
  const headers = fixtureHeaders(vector.headers);
  if (vector.scheme === "stripe-wrong-key-derivation") {
    const t = /t=(\d+)/.exec(getHeader(headers, "Stripe-Signature") ?? "")?.[1] as string;
    const key = Buffer.from(vector.secret.slice("whsec_".length), "base64");
    const v1 = createHmac("sha256", key).update(`${t}.`).update(body).digest("hex");
    return { "Stripe-Signature": `t=${t},v1=${v1}` };
  }
  const id = getHeader(headers, "webhook-id") as string;
  const timestamp = getHeader(headers, "webhook-timestamp") as string;
  const sig = createHmac("sha256", Buffer.from(vector.secret, "utf8"))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest("base64");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${sig}` };
}

describe("signature test vectors (test/fixtures/webhooks/vectors.json)", () => {
  it("covers all 33 cases", () => {
    // Assess
    expect(vectors).toHaveLength(33);
  });

  it.each(vectors.filter((v) => !v.scheme.endsWith("-wrong-key-derivation")))("$name → $expected", (vector) => {
    // Prepare
    const input = inputFor(vector);

    // Act
    const result = verifyWebhookSignature(input);

    // Assess
    expect(result.ok).toBe(vector.expected);
    if (vector.scheme === "woocommerce-ping") expect(result).toEqual({ ok: false, reason: "ping", webhookId: "17" });
  });

  it.each(vectors.filter((v) => v.scheme.endsWith("-wrong-key-derivation")))("$name → $expected", (vector) => {
    // Prepare: the vector's own headers (correct derivation) and a signature made with the wrong key
    const input = inputFor(vector);
    const forged = { ...input, headers: wronglyDerivedSignatureHeaders(vector) };

    // Act
    const genuine = verifyWebhookSignature(input);
    const wronglyDerived = verifyWebhookSignature(forged);

    // Assess
    expect(genuine.ok).toBe(true);
    expect(wronglyDerived).toEqual({ ok: false, reason: "bad-signature" });
    expect(wronglyDerived.ok).toBe(vector.expected);
  });
});
