/**
 * `vendor-sync webhook send --vendor <id> <body.json> [--topic …]`: signs a file's exact bytes with
 * the vendor's scheme and secret, adds the headers its platform sends (topic, delivery and event ids),
 * and posts it to `serve` or, with `--target aws`, to the deployed webhook URL — a test delivery
 * without an openssl recipe.
 */
import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ulid } from "ulid";
import { ValidationError } from "../../lambdas/core/errors.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { signWebhookDelivery } from "../../lambdas/core/webhooks/signatures.ts";
import { parseSigningSecrets } from "../../lambdas/core/webhooks/signing-secrets.ts";
import { regionForStage } from "../aws-target.ts";
import { currentOwner, resolveDataDir } from "../data-dir.ts";
import { stackOutput } from "../jobs-client.ts";
import type { Sandbox } from "../sandbox.ts";
import { resolveVendorsDir, SandboxVendors } from "../vendor-configs.ts";

type Channel = NonNullable<VendorConfig["channels"]["webhook"]>;

/** The topic a platform delivery carries when `--topic` names none. */
const DEFAULT_TOPIC: Readonly<Record<string, string>> = {
  shopify: "products/update",
  woocommerce: "product.updated",
};

/**
 * The headers a platform sends beside its signature (`payloadFormat` decides): Shopify's topic, shop,
 * API version, webhook and event ids, trigger time; WooCommerce's topic, resource, event and delivery
 * id. Our own formats and the thin-notification platforms carry their type in the body.
 *
 * @throws {ValidationError} when `--topic` is given for a format whose type is in the body.
 */
export function platformHeaders(
  vendor: VendorConfig,
  channel: Channel,
  options: { topic?: string; eventId: string; now: number },
): Record<string, string> {
  const topic = options.topic ?? DEFAULT_TOPIC[channel.payloadFormat];
  switch (channel.payloadFormat) {
    case "shopify":
      return {
        "X-Shopify-Topic": topic as string,
        "X-Shopify-Shop-Domain": vendor.channels.pull
          ? new URL(vendor.channels.pull.baseUrl).host
          : `${vendor.id}.myshopify.com`,
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Event-Id": options.eventId,
        "X-Shopify-Triggered-At": new Date(options.now).toISOString(),
      };
    case "woocommerce": {
      const [resource, event] = (topic as string).split(".");
      return {
        "X-WC-Webhook-Topic": topic as string,
        "X-WC-Webhook-Resource": resource ?? "",
        "X-WC-Webhook-Event": event ?? "",
        "X-WC-Webhook-Delivery-ID": options.eventId.replace(/-/g, ""),
        "X-WC-Webhook-Source": `https://${vendor.id}.example/`,
      };
    }
    default:
      if (options.topic !== undefined) {
        throw new ValidationError(
          `--topic: payloadFormat ${channel.payloadFormat} carries its event type in the body, not in a header`,
          { field: "--topic" },
        );
      }
      return {};
  }
}

/** What `webhook send` did (`--json`). */
export interface SentDelivery {
  readonly vendorId: string;
  readonly url: string;
  readonly status: number;
  /** The receiver's answer (JSON when it is). */
  readonly response: unknown;
  /** The message or event id the delivery carried. */
  readonly eventId: string;
  /** Names of the headers sent (values are not printed: one of them is a signature). */
  readonly headers: readonly string[];
}

export interface SendOptions {
  vendor: string;
  topic?: string;
  eventId?: string;
  target: "sandbox" | "aws";
  stage: string;
  region?: string;
  url?: string;
  dataDir?: string;
  json?: boolean;
}

/** What the `webhook send` command needs from the CLI. */
export interface WebhookSendContext {
  readonly io: { out(text: string): void; err(text: string): void };
  readonly sandbox?: Sandbox;
  /** Serve's own address, when the command runs inside it. */
  readonly apiUrl?: string;
  readonly cwd?: string;
  /** AWS clients for `--target aws` (tests pass mocked ones). */
  readonly aws?: { readonly cloudformation?: CloudFormationClient; readonly secretsManager?: SecretsManagerClient };
  readonly setExitCode: (code: number) => void;
}

/** The receiver's URL and the vendor's current signing secret, where `--target` says. */
async function destination(ctx: WebhookSendContext, options: SendOptions, vendor: VendorConfig, channel: Channel) {
  if (options.target === "aws") {
    const region = regionForStage(options.stage, options.region);
    // The SDK clients load only for --target aws: every other command starts without them.
    const { CloudFormationClient } = await import("@aws-sdk/client-cloudformation");
    const { GetSecretValueCommand, SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    const template =
      options.url ??
      (await stackOutput(
        ctx.aws?.cloudformation ?? new CloudFormationClient(region),
        `VendorSync-${options.stage}`,
        "WebhookUrl",
      ));
    const secrets = ctx.aws?.secretsManager ?? new SecretsManagerClient(region);
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: channel.secretName }));
    ctx.io.err("vendor-sync: --target aws posts to the deployed API (a thin adapter, not verified against AWS)\n");
    return {
      url: template.replace("{vendorId}", encodeURIComponent(vendor.id)),
      secret: parseSigningSecrets(value.SecretString).current,
    };
  }
  const dataDir = ctx.sandbox?.dataDir ?? resolveDataDir(options.dataDir);
  const base = options.url ?? ctx.apiUrl ?? currentOwner(dataDir)?.apiUrl;
  if (!base) {
    throw new ValidationError(
      `no vendor-sync serve runs on ${dataDir}: start it (npx vendor-sync serve), or pass --url, or --target aws`,
      { field: "--target" },
    );
  }
  let secret: string;
  if (ctx.sandbox) secret = ctx.sandbox.secrets.current(channel.secretName);
  else {
    const stored = JSON.parse(readFileSync(resolve(dataDir, "secrets.json"), "utf8")) as Record<string, unknown>;
    secret = parseSigningSecrets(stored[channel.secretName]).current;
  }
  return { url: `${base.replace(/\/$/, "")}/webhooks/${encodeURIComponent(vendor.id)}`, secret };
}

/** Signs and posts one delivery. @throws {ValidationError} for an unknown vendor, a vendor without a webhook channel, a missing file. */
export async function sendTestDelivery(
  ctx: WebhookSendContext,
  file: string,
  options: SendOptions,
): Promise<SentDelivery> {
  const vendor = (ctx.sandbox?.configs ?? new SandboxVendors({ dir: resolveVendorsDir(process.env) })).vendor(
    options.vendor,
  );
  const channel = vendor.channels.webhook;
  if (!channel)
    throw new ValidationError(`vendor ${vendor.id} has no webhook channel (channels.webhook)`, { field: "--vendor" });
  const path = resolve(ctx.cwd ?? process.cwd(), file);
  let body: Buffer;
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
    body = readFileSync(path);
  } catch {
    throw new ValidationError(`file not found: ${file}`, { field: "<body.json>" });
  }
  const now = Date.now();
  const eventId = options.eventId ?? (channel.scheme === "standard-webhooks" ? `msg_${ulid(now)}` : randomUUID());
  const extra = platformHeaders(vendor, channel, { ...(options.topic ? { topic: options.topic } : {}), eventId, now });
  const { url, secret } = await destination(ctx, options, vendor, channel);
  const signed = signWebhookDelivery({
    scheme: channel.scheme,
    body,
    secret,
    now,
    messageId: eventId,
    timestampUnit: channel.timestampUnit,
    signatureHeader: channel.signatureHeader,
    idHeader: channel.idHeader,
    timestampHeader: channel.timestampHeader,
  });
  const headers = { "content-type": "application/json", ...extra, ...signed };
  const response = await fetch(url, { method: "POST", headers, body });
  const text = await response.text();
  let answer: unknown = text;
  try {
    answer = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return {
    vendorId: vendor.id,
    url,
    status: response.status,
    response: answer,
    eventId,
    headers: Object.keys(headers),
  };
}
