import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { BATCH_SYNC_DEFINITION } from "../../lib/constructs/batch-sync-workflow.ts";
import { replaceDistributedMaps } from "../../local/batch-workflow/definition.ts";

const require = createRequire(import.meta.url);

/** ASL JSON, walked by key in tests. */
// biome-ignore lint/suspicious/noExplicitAny: state machine definitions are dynamic JSON; tests index them freely.
export type AslJson = any;

/** @returns the text of a `${name}` definition placeholder. */
export const placeholder = (name: string) => `\${${name}}`;

/** asl-validator (CommonJS, untyped): validates a definition offline. */
export const validateAsl = require("asl-validator") as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

export const TEST_ACCOUNT = "123456789012";
export const fakeFunctionArn = (name: string) => `arn:aws:lambda:eu-central-1:${TEST_ACCOUNT}:function:${name}`;

/** The definition file with its `${…}` placeholders substituted as CloudFormation would. */
export function substitutedDefinition(): AslJson {
  const substitutions: Record<string, string> = {
    PrepareFunctionArn: fakeFunctionArn("prepare"),
    PlanFunctionArn: fakeFunctionArn("plan"),
    ValidateFunctionArn: fakeFunctionArn("validate"),
    ApplyFunctionArn: fakeFunctionArn("apply"),
    CommitFunctionArn: fakeFunctionArn("commit"),
    FailFunctionArn: fakeFunctionArn("fail"),
    ImportsBucketName: "vendor-sync-imports-test",
    JobTopicArn: `arn:aws:sns:eu-central-1:${TEST_ACCOUNT}:jobs`,
  };
  const text = readFileSync(BATCH_SYNC_DEFINITION, "utf8").replace(/\$\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = substitutions[name];
    if (value === undefined) throw new Error(`no substitution for \${${name}}`);
    return value;
  });
  return JSON.parse(text);
}

/**
 * A test copy for aws-local-stepfunctions: each Distributed Map becomes the Task the sandbox runs it
 * as (`replaceDistributedMaps`, with the Map's own ResultPath, Catch and transition), so a test's
 * handler for the Map's state name decides what the Map Run did.
 */
export function localTestCopy(definition: AslJson): AslJson {
  return replaceDistributedMaps(definition).definition;
}
