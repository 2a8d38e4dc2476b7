import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { ConfigError } from "../../lambdas/core/errors.ts";

/** One deployment stage (dev, prod, …): where it goes and who hears its alarms. */
export const StageConfigSchema = v.strictObject({
  $comment: v.optional(v.string()),
  /** Stage name, part of every stack name. Lower-case letters and digits. */
  stage: v.pipe(v.string(), v.regex(/^[a-z][a-z0-9]{1,15}$/, "lower-case letters and digits, 2–16 chars")),
  /** Target account; the CLI's default account when absent. */
  account: v.optional(v.pipe(v.string(), v.regex(/^\d{12}$/, "a 12-digit AWS account id"))),
  /** Target region; the CLI's default region when absent. */
  region: v.optional(v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "an AWS region such as eu-central-1"))),
  /** E-mail addresses subscribed to the alarm topic. @default [] */
  alarmEmails: v.optional(v.array(v.pipe(v.string(), v.email())), []),
  /** CloudWatch Logs retention of every function, in days. @default 30 */
  logRetentionDays: v.optional(v.picklist([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731]), 30),
  /** Keep tables and buckets when the stack is deleted. @default true */
  retainData: v.optional(v.boolean(), true),
  /** Custom domain for the webhook API (optional). */
  webhookDomain: v.optional(
    v.strictObject({
      domainName: v.string(),
      /** ACM certificate ARN in the stage's region. */
      certificateArn: v.pipe(v.string(), v.startsWith("arn:aws:acm:")),
    }),
  ),
});

export type StageConfig = v.InferOutput<typeof StageConfigSchema>;

/**
 * Loads and validates `config/stages/<stage>.json`.
 * @throws {ConfigError} naming the file and the field.
 */
export function loadStageConfig(stage: string): StageConfig {
  const url = new URL(`../../config/stages/${stage}.json`, import.meta.url);
  const file = `config/stages/${stage}.json`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(fileURLToPath(url), "utf8"));
  } catch (error) {
    throw new ConfigError(file, [{ field: "(file)", message: (error as Error).message }]);
  }
  const result = v.safeParse(StageConfigSchema, json);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.issues.map((issue) => ({ field: v.getDotPath(issue) ?? "(root)", message: issue.message })),
    );
  }
  if (result.output.stage !== stage) {
    throw new ConfigError(file, [
      { field: "stage", message: `is "${result.output.stage}" but the file is ${stage}.json` },
    ]);
  }
  return result.output;
}
