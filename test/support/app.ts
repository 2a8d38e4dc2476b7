import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { buildApp } from "../../lib/app.ts";
import { loadStageConfig } from "../../lib/config/stage-config.ts";

/** Builds the app as `bin/app.ts` does, for the default (dev) stage, with cdk-nag plugged in. */
export function buildTestApp(options: { extend?: (app: App) => void } = {}) {
  const app = new App({ context: { stage: "dev" } });
  const built = buildApp(app, { stage: loadStageConfig("dev"), vendors: [...loadVendorConfigs().values()] });
  options.extend?.(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, ...built };
}
