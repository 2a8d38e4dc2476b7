/**
 * What a function bundle can send, read from the bundle itself: the AWS SDK clients are left out of
 * every bundle (`vendorSyncBundling`), so each command class a bundle uses stays a named import from
 * `@aws-sdk/client-*` in its output — our adapters' and those of the libraries bundled with them
 * (lib-storage's multipart upload, Powertools Parameters' secrets), after esbuild's tree shaking.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DeployedApp } from "./cloudformation.ts";

/** The client packages the functions use, by the service id their clients report. */
const SERVICE_OF_PACKAGE: Readonly<Record<string, string>> = {
  "@aws-sdk/client-dynamodb": "DynamoDB",
  "@aws-sdk/client-s3": "S3",
  "@aws-sdk/client-sqs": "SQS",
  "@aws-sdk/client-sns": "SNS",
  "@aws-sdk/client-sfn": "SFN",
  "@aws-sdk/client-secrets-manager": "Secrets Manager",
};

/** `<service> <Command>`, as `RecordedCall` names them. */
export type CommandId = `${string} ${string}`;

/**
 * The SDK commands a bundle imports.
 * @throws {Error} for a client package not in the table, or a dynamic import of a client (its
 *   commands would not be named in an import statement).
 */
export function commandsOfBundle(text: string): Set<CommandId> {
  const commands = new Set<CommandId>();
  for (const [, names = "", source = ""] of text.matchAll(
    /import\s*\{([^}]*)\}\s*from\s*["'](@aws-sdk\/client-[\w-]+)["']/g,
  )) {
    const service = SERVICE_OF_PACKAGE[source];
    if (!service) throw new Error(`a bundle imports ${source}: add its service id`);
    for (const name of names.split(",")) {
      const imported = name.trim().split(/\s+as\s+/)[0] ?? "";
      if (imported.endsWith("Command")) commands.add(`${service} ${imported}`);
    }
  }
  const dynamic = text.match(/import\(\s*["'](@aws-sdk\/client-[\w-]+)["']\s*\)/);
  if (dynamic) throw new Error(`a bundle imports ${dynamic[1]} dynamically: list its commands another way`);
  return commands;
}

/**
 * Each function's bundle (`index.mjs` of its code asset in the cloud assembly), by logical id: the
 * function's `Code.S3Key` names the asset, the stack's asset manifest says where it was staged.
 * @throws {Error} when the assembly holds no bundle for a function (synthesized without bundling).
 */
export function functionBundles(app: DeployedApp, assemblyDir: string): Map<string, string> {
  const bundles = new Map<string, string>();
  for (const stack of app.stacks) {
    const manifest = join(assemblyDir, `${stack.stackName}.assets.json`);
    const files = existsSync(manifest)
      ? (JSON.parse(readFileSync(manifest, "utf8")) as { files: Record<string, { source: { path: string } }> }).files
      : {};
    for (const [id, resource] of Object.entries(stack.template.Resources)) {
      if (resource.Type !== "AWS::Lambda::Function") continue;
      const key = String(resource.Properties?.Code?.S3Key ?? "");
      const asset = files[key.replace(/\.zip$/, "")];
      const file = asset ? join(assemblyDir, asset.source.path, "index.mjs") : "";
      if (!file || !existsSync(file))
        throw new Error(`no bundle for ${id} in ${assemblyDir} (synthesized without bundling?)`);
      bundles.set(id, readFileSync(file, "utf8"));
    }
  }
  return bundles;
}
