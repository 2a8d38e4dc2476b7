/**
 * What `vendor-sync vendors` and `vendors show --vendor <id>` tell: what is configured, as an operator
 * onboarding a vendor needs it — the webhook URL, scheme and header names, where the signing secret
 * lives (and whether it is usable), channels and schedule — without reading the source.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { displayPath } from "../../config/display-path.ts";
import { nextFireTimes } from "../../lambdas/core/schedules/eventbridge-schedule.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { SIGNATURE_SCHEMES } from "../../lambdas/core/webhooks/schemes/index.ts";
import type { SignatureScheme } from "../../lambdas/core/webhooks/schemes/scheme.ts";
import { headerFamiliesFor } from "../../lambdas/core/webhooks/signatures.ts";
import { parseSigningSecrets, signingSecretsProblem } from "../../lambdas/core/webhooks/signing-secrets.ts";
import { currentOwner, resolveDataDir } from "../data-dir.ts";
import type { Sandbox } from "../sandbox.ts";
import { resolveVendorsDir, SandboxVendors } from "../vendor-configs.ts";

/** The sandbox's default API address (`vendor-sync serve` without `--port`). */
const DEFAULT_SERVE_URL = "http://127.0.0.1:4580";

/** One vendor in `vendors` (JSON). */
export interface VendorSummary {
  readonly vendorId: string;
  readonly name?: string;
  readonly enabled?: boolean;
  /** Configured channels: `file`, `webhook`, `pull`, `fileDrop`. */
  readonly channels: readonly string[];
  readonly schedule?: string;
  /** The file's problems, when it is invalid (the vendor is unavailable). */
  readonly invalid?: readonly string[];
}

/** Everything `vendors show` tells about one vendor (JSON). */
export interface VendorDetails extends VendorSummary {
  readonly file: string;
  readonly entityTypes: readonly string[];
  readonly defaultCurrency: string;
  readonly timeZone: string;
  readonly webhook?: {
    readonly url: string;
    /** Where `url` comes from: a running `serve`, or the default address when none runs. */
    readonly urlSource: "serve" | "default";
    readonly urlOnAws: string;
    readonly scheme: string;
    readonly signature: string;
    /** Header names read, one family per sender brand (Standard Webhooks: `webhook-*` and `svix-*`). */
    readonly headers: readonly Record<string, string>[];
    readonly payloadFormat: string;
    readonly timestampToleranceSeconds?: number;
    readonly secret: {
      readonly name: string;
      readonly format: string;
      readonly sandbox: { readonly file: string; readonly status: string };
      readonly aws: string;
    };
  };
  readonly fileChannel?: { readonly format: string; readonly encoding: string };
  readonly pull?: {
    readonly baseUrl: string;
    readonly format: string;
    readonly auth: string;
    readonly secretName?: string;
  };
  readonly fileDrop?: { readonly bucket: string; readonly prefix: string };
  readonly scheduleDetails?: {
    readonly expression: string;
    readonly timeZone: string;
    readonly next: readonly string[];
  };
}

const channelsOf = (config: VendorConfig) =>
  (["file", "webhook", "pull", "fileDrop"] as const).filter((channel) => config.channels[channel] !== undefined);

/** The vendor folder as the command sees it: serve's live one, or read now. */
function vendorsOf(sandbox: Sandbox | undefined): SandboxVendors {
  return sandbox?.configs ?? new SandboxVendors({ dir: resolveVendorsDir(process.env) });
}

/** @returns every vendor, valid ones and invalid files alike, by id. */
export function listVendors(sandbox: Sandbox | undefined): VendorSummary[] {
  const configs = vendorsOf(sandbox);
  const valid: VendorSummary[] = [...configs.vendors.values()].map((config) => {
    // `serve` keeps the last good configuration of a vendor whose file became invalid: both are told.
    const invalid = configs.invalid.get(config.id);
    return {
      vendorId: config.id,
      name: config.name,
      enabled: config.enabled,
      channels: channelsOf(config),
      ...(config.schedule ? { schedule: config.schedule.expression } : {}),
      ...(invalid ? { invalid: invalid.message.split("\n") } : {}),
    };
  });
  const invalid: VendorSummary[] = [...configs.invalid]
    .filter(([id]) => !configs.vendors.has(id))
    .map(([id, error]) => ({ vendorId: id, channels: [], invalid: error.message.split("\n") }));
  return [...valid, ...invalid].sort((a, b) => a.vendorId.localeCompare(b.vendorId));
}

/** The signing secret's state in the sandbox's secrets file, read without changing it. */
function sandboxSecretStatus(sandbox: Sandbox | undefined, dataDir: string, name: string, scheme: SignatureScheme) {
  const problem = sandbox?.secrets.problems.find((p) => p.secretName === name);
  if (problem) return `unusable: ${problem.problem}`;
  if (sandbox) return "set";
  const file = join(dataDir, "secrets.json");
  if (!existsSync(file)) return "not created yet: vendor-sync serve creates it";
  try {
    const value = (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)[name];
    if (value === undefined) return "not created yet: vendor-sync serve creates it";
    return signingSecretsProblem(parseSigningSecrets(value), scheme.secret)?.message ?? "set";
  } catch (error) {
    return `unusable: ${(error as Error).message}`;
  }
}

/**
 * @returns one vendor's details.
 * @throws {ValidationError} for an unknown vendor or one whose file is invalid (naming its problems).
 */
export function showVendor(
  sandbox: Sandbox | undefined,
  vendorId: string,
  options: { dataDir?: string; apiUrl?: string; now?: number },
): VendorDetails {
  const configs = vendorsOf(sandbox);
  const config = configs.vendor(vendorId);
  const dataDir = sandbox?.dataDir ?? resolveDataDir(options.dataDir);
  const serving = options.apiUrl ?? currentOwner(dataDir)?.apiUrl;
  const { webhook, file, pull, fileDrop } = config.channels;
  const scheme: SignatureScheme | undefined = webhook ? SIGNATURE_SCHEMES[webhook.scheme] : undefined;
  return {
    vendorId: config.id,
    name: config.name,
    enabled: config.enabled,
    file: displayPath(join(configs.dir ?? ".", `${config.id}.json`)),
    channels: channelsOf(config),
    entityTypes: config.entityTypes,
    defaultCurrency: config.defaultCurrency,
    timeZone: config.timeZone,
    ...(webhook && scheme
      ? {
          webhook: {
            url: `${serving ?? DEFAULT_SERVE_URL}/webhooks/${config.id}`,
            urlSource: serving ? "serve" : "default",
            urlOnAws: `the stack output WebhookUrl with {vendorId} = ${config.id} (vendor-sync webhook send --target aws uses it)`,
            scheme: webhook.scheme,
            signature: scheme.summary,
            headers: headerFamiliesFor(scheme, webhook).map((family) => ({ ...family })),
            payloadFormat: webhook.payloadFormat,
            ...(scheme.signsTimestamp ? { timestampToleranceSeconds: webhook.timestampToleranceSeconds } : {}),
            secret: {
              name: webhook.secretName,
              format: scheme.secret.description,
              sandbox: {
                file: displayPath(join(dataDir, "secrets.json")),
                status: sandboxSecretStatus(sandbox, dataDir, webhook.secretName, scheme),
              },
              aws: `Secrets Manager secret ${webhook.secretName} (text, or {"current", "previous"} while rotating; read at most 5 minutes late)`,
            },
          },
        }
      : {}),
    ...(file ? { fileChannel: { format: file.format, encoding: file.encoding } } : {}),
    ...(pull
      ? {
          pull: {
            baseUrl: pull.baseUrl,
            format: pull.format,
            auth: pull.auth.type,
            ...(pull.secretName ? { secretName: pull.secretName } : {}),
          },
        }
      : {}),
    ...(fileDrop ? { fileDrop: { bucket: fileDrop.bucket, prefix: fileDrop.prefix } } : {}),
    ...(config.schedule
      ? {
          schedule: config.schedule.expression,
          scheduleDetails: {
            expression: config.schedule.expression,
            timeZone: config.schedule.timeZone,
            next: nextFireTimes(config.schedule.expression, config.schedule.timeZone, options.now ?? Date.now(), 3).map(
              (date) => date.toISOString(),
            ),
          },
        }
      : {}),
  };
}

/** @returns the vendor list for a terminal. */
export function formatVendorList(vendors: readonly VendorSummary[]): string {
  if (vendors.length === 0) return "no vendors configured";
  const width = Math.max(...vendors.map((v) => v.vendorId.length));
  return vendors
    .flatMap((v) => {
      const problems = (v.invalid ?? []).map((line) => `${" ".repeat(width)}    ${line}`);
      if (v.name === undefined) return [`${v.vendorId.padEnd(width)}  INVALID (unavailable):`, ...problems];
      const line = `${v.vendorId.padEnd(width)}  ${v.enabled ? "enabled " : "disabled"}  ${v.channels.join(", ") || "no channels"}${v.schedule ? `  schedule ${v.schedule}` : ""}  ${v.name}`;
      return v.invalid ? [`${line}  (file invalid, the last good configuration is in use):`, ...problems] : [line];
    })
    .join("\n");
}

/** @returns one vendor's details for a terminal. */
export function formatVendor(details: VendorDetails): string {
  const lines = [
    `${details.vendorId}  ${details.name}  (${details.enabled ? "enabled" : "disabled"})  ${details.file}`,
    `  entity types   ${details.entityTypes.join(", ")}; currency ${details.defaultCurrency}; time zone ${details.timeZone}`,
  ];
  const w = details.webhook;
  if (w) {
    lines.push(
      `  webhook URL    ${w.url}${w.urlSource === "default" ? "  (when vendor-sync serve runs on the default port)" : ""}`,
      `                 on AWS: ${w.urlOnAws}`,
      `  scheme         ${w.scheme}: ${w.signature}`,
      `  headers        ${w.headers
        .map((family) =>
          Object.entries(family)
            .map(([role, name]) => `${role} ${name}`)
            .join(", "),
        )
        .join("  or  ")}`,
      `  payload        ${w.payloadFormat}${w.timestampToleranceSeconds ? `; signed time within ±${w.timestampToleranceSeconds} s` : ""}`,
      `  secret         ${w.secret.name} — ${w.secret.format}`,
      `                 sandbox: ${w.secret.sandbox.file} (${w.secret.sandbox.status})`,
      `                 AWS: ${w.secret.aws}`,
      `  try it         npx vendor-sync webhook send --vendor ${details.vendorId} <body.json>`,
    );
  }
  if (details.fileChannel)
    lines.push(`  file           ${details.fileChannel.format} (${details.fileChannel.encoding})`);
  if (details.pull) {
    lines.push(
      `  pull           ${details.pull.format} from ${details.pull.baseUrl}, auth ${details.pull.auth}${details.pull.secretName ? ` (secret ${details.pull.secretName})` : ""}`,
    );
  }
  if (details.fileDrop) lines.push(`  file drop      s3://${details.fileDrop.bucket}/${details.fileDrop.prefix}`);
  if (details.scheduleDetails) {
    const s = details.scheduleDetails;
    lines.push(`  schedule       ${s.expression} (${s.timeZone}); next ${s.next.join(", ")}`);
  }
  return lines.join("\n");
}
