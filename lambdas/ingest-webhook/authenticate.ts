import { ConfigurationFaultError } from "../core/errors.ts";
import type { SecretSource } from "../core/ports.ts";
import type { VendorConfig } from "../core/vendor-config.ts";
import type { WebhookHeaders } from "../core/webhooks/headers.ts";
import { SIGNATURE_SCHEMES } from "../core/webhooks/schemes/index.ts";
import {
  CONFIGURATION_FAULT_REASONS,
  type VerifyWebhookResult,
  verifyWebhookSignature,
} from "../core/webhooks/signatures.ts";
import { SecretValueError, signingSecretsProblem } from "../core/webhooks/signing-secrets.ts";
import { type Answer, respond, unavailable } from "./answers.ts";

type WebhookChannel = NonNullable<VendorConfig["channels"]["webhook"]>;

/** What authenticating a delivery needs. */
export interface AuthenticateDeps {
  readonly secrets: SecretSource;
  /** Retry-After of a 503, seconds. */
  readonly retryAfterSeconds: number;
  readonly observe?: {
    readonly signatureRejected?: (vendorId: string, reason: string) => void;
    readonly failed?: (vendorId: string, error: unknown) => void;
    readonly configurationFault?: (error: ConfigurationFaultError) => void;
  };
}

/** The answer to a configuration fault: observed (logged, counted), then 503 with Retry-After. */
export function configurationFaultAnswer(deps: AuthenticateDeps, fault: ConfigurationFaultError): Answer {
  deps.observe?.configurationFault?.(fault);
  return unavailable(deps.retryAfterSeconds, "the receiver's configuration for this vendor is faulty; retry later", {
    reason: "configuration-fault",
  });
}

/**
 * Reads the vendor's signing secrets and verifies the delivery's signature.
 *
 * - the secret store failing: 503 (transient);
 * - the secret malformed, its current value not in the scheme's format, or the channel unable to
 *   verify anything: a configuration fault (503 with Retry-After, observed) — never a 401 that would
 *   blame the vendor; a bad *previous* secret is observed but the current one still verifies;
 * - a WooCommerce ping: 200; a signature that does not verify: 401.
 *
 * @returns the accepted verdict, or the answer to give.
 */
export async function authenticateDelivery(
  deps: AuthenticateDeps,
  vendor: VendorConfig,
  channel: WebhookChannel,
  delivery: { readonly body: Buffer; readonly headers: WebhookHeaders; readonly receivedAt: number },
): Promise<{ verdict: Extract<VerifyWebhookResult, { ok: true }> } | Answer> {
  const fault = (problem: string) =>
    new ConfigurationFaultError(vendor.id, `signing secret ${channel.secretName}: ${problem}`);
  let secrets: string[];
  try {
    secrets = await deps.secrets.secrets(channel.secretName);
  } catch (error) {
    if (error instanceof SecretValueError) return configurationFaultAnswer(deps, fault(error.message));
    deps.observe?.failed?.(vendor.id, error);
    return unavailable(deps.retryAfterSeconds, "signing secret unavailable, retry later", {
      reason: "secret-unavailable",
    });
  }
  const [current, previous] = secrets;
  if (current === undefined) return configurationFaultAnswer(deps, fault("has no value"));
  const problem = signingSecretsProblem({ current, previous }, SIGNATURE_SCHEMES[channel.scheme].secret);
  if (problem?.secret === "current") return configurationFaultAnswer(deps, fault(problem.message));
  // A broken previous secret only ends the rotation's overlap early: report it, verify with the current one.
  if (problem) deps.observe?.configurationFault?.(fault(problem.message));
  const verdict = verifyWebhookSignature({
    scheme: channel.scheme,
    body: delivery.body,
    headers: delivery.headers,
    secrets,
    now: delivery.receivedAt,
    toleranceSeconds: channel.timestampToleranceSeconds,
    timestampUnit: channel.timestampUnit,
    signatureHeader: channel.signatureHeader,
    idHeader: channel.idHeader,
    timestampHeader: channel.timestampHeader,
  });
  if (verdict.ok) return { verdict };
  if (verdict.reason === "ping") return respond(200, { ping: true }, { reason: "ping" });
  if (CONFIGURATION_FAULT_REASONS.has(verdict.reason)) {
    return configurationFaultAnswer(deps, new ConfigurationFaultError(vendor.id, `webhook channel: ${verdict.reason}`));
  }
  deps.observe?.signatureRejected?.(vendor.id, verdict.reason);
  return respond(401, { error: "signature verification failed", reason: verdict.reason }, { reason: verdict.reason });
}
