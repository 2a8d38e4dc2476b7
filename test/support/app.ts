import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import type { VendorConfig } from "../../lambdas/core/vendor-config.ts";
import { buildApp } from "../../lib/app.ts";
import { loadStageConfig } from "../../lib/config/stage-config.ts";

/**
 * Builds the app as `bin/app.ts` does, for the default (dev) stage, with cdk-nag plugged in.
 * @param options.vendors - other vendor configurations. @default the bundled ones
 */
export function buildTestApp(options: { extend?: (app: App) => void; vendors?: readonly VendorConfig[] } = {}) {
  const app = new App({ context: { stage: "dev" } });
  const built = buildApp(app, {
    stage: loadStageConfig("dev"),
    vendors: options.vendors ?? [...loadVendorConfigs().values()],
  });
  options.extend?.(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, ...built };
}
