/**
 * The CDK app: reads the stage and vendor configuration once (validated; an error names the file
 * and the field), builds the stateful and stateless stacks, and runs cdk-nag's AWS Solutions checks.
 *
 * `npx cdk synth` uses the `dev` stage; `npx cdk synth -c stage=prod` another.
 */
import { App, Tags, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadVendorConfigs } from "../config/load-vendors.ts";
import { buildApp } from "../lib/app.ts";
import { loadStageConfig } from "../lib/config/stage-config.ts";

const app = new App();
const stage = loadStageConfig(String(app.node.tryGetContext("stage") ?? "dev"));
buildApp(app, { stage, vendors: [...loadVendorConfigs().values()] });
Tags.of(app).add("project", "advanced-vendor-sync");
Tags.of(app).add("stage", stage.stage);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
