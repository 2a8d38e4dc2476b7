import { readFileSync } from "node:fs";
import { App } from "aws-cdk-lib";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { buildVendorSyncApp } from "../../lib/app.ts";
import { loadStageConfig } from "../../lib/config/stage-config.ts";
import { repoPath } from "./files.ts";

/** cdk.json's context (feature flags), which the CLI gives the app. */
const cdkJsonContext = (JSON.parse(readFileSync(repoPath("cdk.json"), "utf8")) as { context: Record<string, unknown> })
  .context;

/**
 * Builds the app as `npx cdk synth` does (bin/app.ts: tags, cdk-nag; cdk.json's context), for the
 * default (dev) stage, in this process: for apps other than the default one (other vendors, a
 * construct added). The default app's templates come from the run's `npx cdk synth`
 * (`synthesizedStacks()`).
 *
 * Functions are not bundled (CDK's `aws:cdk:bundling-stacks` context, as `cdk deploy --exclusively`
 * does for stacks it leaves out): their code assets are placeholders. The run's `npx cdk synth`
 * bundles every function.
 * @param options.vendors - other vendor configurations. @default the bundled ones
 */
export function buildTestApp(options: { extend?: (app: App) => void; vendors?: readonly VendorConfig[] } = {}) {
  const app = new App({ context: { ...cdkJsonContext, stage: "dev", "aws:cdk:bundling-stacks": [] } });
  const built = buildVendorSyncApp(app, {
    stage: loadStageConfig("dev"),
    vendors: options.vendors ?? [...loadVendorConfigs().values()],
  });
  options.extend?.(app);
  return { app, ...built };
}
