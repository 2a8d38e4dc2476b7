import * as v from "valibot";
import { plainIssues } from "./config-issues.ts";
import { isCurrencyCode } from "./currencies.ts";
import { ConfigError } from "./errors.ts";
import { CONFLICT_STRATEGIES, ENTITY_TYPES, SOURCES } from "./model.ts";
import { PullChannelSchema } from "./pull/pull-config.ts";
import { scheduleExpressionIssue } from "./schedules/schedule-expression.ts";
import { TimeZoneSchema } from "./timestamps.ts";
import { crossFieldIssues } from "./vendor-config-checks.ts";
import { SIGNATURE_SCHEMES, WEBHOOK_SCHEMES, type WebhookScheme } from "./webhooks/schemes/index.ts";

/** The payload format a scheme's deliveries carry unless the vendor says otherwise. */
const defaultPayloadFormat = (scheme: WebhookScheme): (typeof WEBHOOK_PAYLOAD_FORMATS)[number] =>
  (SIGNATURE_SCHEMES[scheme] as { platformPayload?: (typeof WEBHOOK_PAYLOAD_FORMATS)[number] }).platformPayload ??
  "canonical";

/** SQS redrive `maxReceiveCount` used by every queue; a vendor's `maxRetries` must stay below it. */
export const MAX_RECEIVE_COUNT = 8;

const PercentSchema = v.pipe(v.number(), v.minValue(0), v.maxValue(100));
const StrategySchema = v.picklist(CONFLICT_STRATEGIES);

/** File formats the importer understands. */
export const FILE_FORMATS = ["canonical", "magento-csv", "shopify-csv"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export { WEBHOOK_SCHEMES, type WebhookScheme } from "./webhooks/schemes/index.ts";

const FileChannelSchema = v.strictObject({
  /** How rows become changes. */
  format: v.picklist(FILE_FORMATS),
  /** Text encoding of the file. @default "utf-8" */
  encoding: v.optional(v.picklist(["utf-8", "windows-1252", "latin1", "utf-16le"]), "utf-8"),
  /** CSV field delimiter. @default "," */
  delimiter: v.optional(v.picklist([",", ";", "\t", "|"]), ","),
  /** Weight unit of weight columns. @default "kg" */
  weightUnit: v.optional(v.picklist(["g", "kg", "lb", "oz"]), "kg"),
});

/** Payload mappings a webhook channel can declare (lambdas/core/webhooks/mappers/). */
export const WEBHOOK_PAYLOAD_FORMATS = ["shopify", "woocommerce", "bigcommerce", "commercetools", "canonical"] as const;

const HeaderNameSchema = v.pipe(
  v.string(),
  v.regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, "an HTTP header name (letters, digits and dashes)"),
);

const WebhookChannelSchema = v.pipe(
  v.strictObject({
    scheme: v.picklist(WEBHOOK_SCHEMES),
    /** Name of the signing secret (Secrets Manager on AWS; the sandbox's secrets file locally). */
    secretName: v.pipe(v.string(), v.minLength(1)),
    /** Header carrying the signature. @default the scheme's own (required for bigcommerce: the custom header's name) */
    signatureHeader: v.optional(HeaderNameSchema),
    /** Header carrying the signed message id (standard-webhooks). @default "webhook-id" or "svix-id" */
    idHeader: v.optional(HeaderNameSchema),
    /** Header carrying the signed timestamp (standard-webhooks). @default "webhook-timestamp" or "svix-timestamp" */
    timestampHeader: v.optional(HeaderNameSchema),
    /** Accepted clock difference between the vendor's timestamp and ours, in seconds. @default 300 */
    timestampToleranceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 300),
    /** Unit of the vendor's signature timestamp. @default "s" */
    timestampUnit: v.optional(v.picklist(["s", "ms"]), "s"),
    /** Payload mapping: the platform whose payloads this vendor sends. @default the scheme's platform, else "canonical" */
    payloadFormat: v.optional(v.picklist(WEBHOOK_PAYLOAD_FORMATS)),
  }),
  v.transform((channel) => ({
    ...channel,
    payloadFormat: channel.payloadFormat ?? defaultPayloadFormat(channel.scheme),
  })),
);

/**
 * The S3 file-drop connector: on each scheduled or on-demand run, the pull worker reads the files the
 * vendor dropped under `prefix` since the last run (keys in lexical order, so name files by time), in
 * the vendor's `channels.file` format. Small files are imported by the worker through the shared
 * write path; larger ones are handed to the batch workflow.
 */
const FileDropChannelSchema = v.strictObject({
  /** The bucket the vendor drops files into (a folder under `<data-dir>/objects/` in the sandbox). */
  bucket: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name")),
  /** Key prefix of the vendor's files (ends with "/"). @default "" */
  prefix: v.optional(v.pipe(v.string(), v.maxLength(512)), ""),
  /** Only keys ending with one of these are read. @default [".csv", ".jsonl"] */
  suffixes: v.optional(v.array(v.pipe(v.string(), v.minLength(1))), [".csv", ".jsonl"]),
  /** Files up to this size (bytes) are imported by the worker; larger ones go to the batch workflow. @default 5 MiB */
  directMaxBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 5 * 1024 * 1024),
  /** Files read per run at most; the rest wait for the next run. @default 100 */
  maxFilesPerRun: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)), 100),
});

const ScheduleSchema = v.strictObject({
  /** EventBridge Scheduler expression: `cron(…)` (six fields) or `rate(…)`. */
  expression: v.pipe(
    v.string(),
    v.check(
      (expression) => scheduleExpressionIssue(expression) === undefined,
      (issue) => scheduleExpressionIssue(String(issue.input)) ?? "invalid schedule expression",
    ),
  ),
  /** IANA time zone the cron expression is evaluated in. @default "UTC" */
  timeZone: v.optional(TimeZoneSchema, "UTC"),
  /** Flexible time window in minutes (0 = off). @default 0 */
  flexibleWindowMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1440)), 0),
});

const ConflictsSchema = v.strictObject({
  /** Strategy for entity types not listed. @default "last-write-wins" */
  default: v.optional(StrategySchema, "last-write-wins"),
  product: v.optional(StrategySchema),
  price: v.optional(StrategySchema),
  inventory: v.optional(StrategySchema),
  order: v.optional(StrategySchema),
});

const RulesSchema = v.strictObject({
  /** Price-change guard: a price moving more than `maxChangePercent` goes to manual review (or is rejected). */
  priceChangeGuard: v.optional(
    v.strictObject({
      maxChangePercent: v.optional(v.pipe(v.number(), v.minValue(0)), 50),
      action: v.optional(v.picklist(["review", "reject", "off"]), "review"),
    }),
    { maxChangePercent: 50, action: "review" },
  ),
  /** What to do with a negative available quantity. @default "allow" */
  negativeStock: v.optional(v.picklist(["allow", "reject", "clamp"]), "allow"),
});

/**
 * One vendor's configuration (docs/architecture.md, "Vendors as configuration"). Validated at synth and at load; see `config/vendors/*.json`.
 */
export const VendorConfigSchema = v.strictObject({
  $schema: v.optional(v.string()),
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and dashes, 2–63 chars")),
  name: v.pipe(v.string(), v.minLength(1)),
  enabled: v.optional(v.boolean(), true),
  entityTypes: v.pipe(v.array(v.picklist(ENTITY_TYPES)), v.minLength(1)),
  defaultCurrency: v.pipe(
    v.string(),
    v.check(isCurrencyCode, (issue) => `unknown ISO 4217 currency ${JSON.stringify(issue.input)}`),
  ),
  /** Time zone for naive timestamps (no offset) in this vendor's data. @default "UTC" */
  timeZone: v.optional(TimeZoneSchema, "UTC"),
  /** Decimal separator in this vendor's amounts. @default "." */
  decimalSeparator: v.optional(v.picklist([".", ","]), "."),
  channels: v.optional(
    v.strictObject({
      file: v.optional(FileChannelSchema),
      webhook: v.optional(WebhookChannelSchema),
      /** The scheduled workflow's HTTP JSON connector (lambdas/core/pull/pull-config.ts). */
      pull: v.optional(PullChannelSchema),
      /** The scheduled workflow's S3 file-drop connector; files are read in `channels.file`'s format. */
      fileDrop: v.optional(FileDropChannelSchema),
    }),
    {},
  ),
  conflicts: v.optional(ConflictsSchema, { default: "last-write-wins" }),
  /** Rank per source; higher wins under source-priority and breaks last-write-wins ties. */
  sourcePriority: v.optional(v.record(v.picklist(SOURCES), v.pipe(v.number(), v.integer())), {}),
  rules: v.optional(RulesSchema, {}),
  schedule: v.optional(ScheduleSchema),
  /** Delivery attempts before a message goes to the dead-letter queue. Must be below the queues' maxReceiveCount. @default 3 */
  maxRetries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_RECEIVE_COUNT - 1)), 3),
  /** Batches written in parallel (and the Distributed Map's MaxConcurrency). @default 4 */
  maxConcurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 4),
  /** Share of rejected changes a batch job tolerates before it fails, in percent. @default 5 */
  toleratedRejectedPercent: v.optional(PercentSchema, 5),
  /** A full snapshot may tombstone at most this share of the vendor's records, in percent. @default 10 */
  massDeletionGuardPercent: v.optional(PercentSchema, 10),
  /** Data older than this (minutes since the newest accepted change) raises the staleness alarm. @default 1440 */
  freshnessSloMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1440),
});

/** A validated vendor configuration, defaults applied. */
export type VendorConfig = v.InferOutput<typeof VendorConfigSchema>;
/** A vendor configuration as written in a file, before defaults. */
export type VendorConfigInput = v.InferInput<typeof VendorConfigSchema>;

/**
 * Validates one vendor configuration: each field, then the fields together (a scheme and its payload
 * format, a thin-notification format and its pull channel…; see `vendor-config-checks.ts`).
 *
 * @param input - the parsed JSON.
 * @param file - the file it came from, named in errors.
 * @throws {ConfigError} naming the file and every problem, in plain words.
 */
export function parseVendorConfig(input: unknown, file: string): VendorConfig {
  const result = v.safeParse(VendorConfigSchema, input);
  if (!result.success) throw new ConfigError(file, plainIssues(VendorConfigSchema, result.issues));
  const crossField = crossFieldIssues(result.output);
  if (crossField.length > 0) throw new ConfigError(file, crossField);
  const expectedId = file
    .split(/[\\/]/)
    .pop()
    ?.replace(/\.json$/, "");
  if (expectedId && expectedId !== result.output.id && file.endsWith(".json")) {
    throw new ConfigError(file, [
      { field: "id", message: `is ${JSON.stringify(result.output.id)} but the file is named ${expectedId}.json` },
    ]);
  }
  return result.output;
}
