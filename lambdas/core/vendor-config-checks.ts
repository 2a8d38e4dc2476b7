/**
 * Checks across the fields of one vendor configuration: each field can be valid on its own and the
 * whole still never work (a BigCommerce scheme with no header to read, a Shopify-signed channel
 * expecting canonical payloads, thin notifications with nothing to fetch them). Run after the
 * field-by-field validation, at synth and whenever the CLI or `serve` loads configurations.
 */
import type { ConfigIssue } from "./config-issues.ts";
import type { VendorConfig } from "./vendor-config.ts";
import { SIGNATURE_SCHEMES } from "./webhooks/schemes/index.ts";
import type { HeaderRole, SignatureScheme } from "./webhooks/schemes/scheme.ts";
import { overrideKeyOf } from "./webhooks/signatures.ts";

const ROLES: readonly HeaderRole[] = ["signature", "id", "timestamp"];

/** What a role's header carries, for messages. */
const ROLE_WORDS: Readonly<Record<HeaderRole, string>> = {
  signature: "signature header",
  id: "signed message id",
  timestamp: "signed timestamp",
};

function webhookIssues(config: VendorConfig): ConfigIssue[] {
  const channel = config.channels.webhook;
  if (!channel) return [];
  const issues: ConfigIssue[] = [];
  const scheme: SignatureScheme = SIGNATURE_SCHEMES[channel.scheme];
  const at = (key: string) => `channels.webhook.${key}`;
  for (const role of scheme.requiredRoles) {
    const key = overrideKeyOf(role);
    if (!channel[key]) {
      issues.push({
        field: at(key),
        message: `scheme ${scheme.name} has no standard header name: set ${key} to the custom header configured on the vendor's side (every delivery would be refused without it)`,
      });
    }
  }
  for (const role of ROLES) {
    const key = overrideKeyOf(role);
    if (channel[key] && !scheme.roles.includes(role)) {
      issues.push({ field: at(key), message: `scheme ${scheme.name} has no ${ROLE_WORDS[role]}: remove ${key}` });
    }
  }
  const platformPayload = scheme.platformPayload;
  if (platformPayload && channel.payloadFormat !== platformPayload) {
    issues.push({
      field: at("payloadFormat"),
      message: `scheme ${scheme.name} signs ${platformPayload}'s own deliveries, whose payloads are payloadFormat ${platformPayload}, not ${channel.payloadFormat} (leave payloadFormat out to get ${platformPayload})`,
    });
  }
  const owner = Object.values<SignatureScheme>(SIGNATURE_SCHEMES).find(
    (s) => s.platformPayload === channel.payloadFormat,
  );
  if (owner && owner.name !== scheme.name) {
    issues.push({
      field: at("scheme"),
      message: `payloadFormat ${channel.payloadFormat} is sent by ${channel.payloadFormat} itself, which signs with scheme ${owner.name}, not ${scheme.name}`,
    });
  }
  if (channel.payloadFormat === "bigcommerce") {
    const pull = config.channels.pull;
    if (!pull || Object.keys(pull.resources).length === 0) {
      issues.push({
        field: pull ? "channels.pull.resources" : "channels.pull",
        message:
          "payloadFormat bigcommerce sends thin notifications that are fetched through the vendor's API: add channels.pull with resources (product, variant, order), or every delivery is accepted and then dropped",
      });
    }
  }
  return issues;
}

function channelIssues(config: VendorConfig): ConfigIssue[] {
  const { fileDrop, file, pull } = config.channels;
  const issues: ConfigIssue[] = [];
  if (fileDrop && !file) {
    issues.push({
      field: "channels.fileDrop",
      message: "needs channels.file: the dropped files are read in its format",
    });
  }
  if (fileDrop && pull) {
    issues.push({
      field: "channels",
      message: "a vendor is pulled through one channel: channels.pull or channels.fileDrop, not both",
    });
  }
  if (config.schedule && !pull && !fileDrop) {
    issues.push({
      field: "schedule",
      message: "a schedule pulls the vendor: it needs channels.pull or channels.fileDrop",
    });
  }
  return issues;
}

/** @returns every problem across fields of a configuration that is valid field by field (empty when none). */
export function crossFieldIssues(config: VendorConfig): ConfigIssue[] {
  return [...channelIssues(config), ...webhookIssues(config)];
}
