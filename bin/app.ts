/**
 * The CDK app: reads the stage and vendor configuration once (validated; an error names the file
 * and the field), builds the stateful and stateless stacks, and runs cdk-nag's AWS Solutions checks.
 *
 * `npx cdk synth` uses the `dev` stage; `npx cdk synth -c stage=prod` another.
 */
import { App } from "aws-cdk-lib";
import { loadVendorConfigs } from "../config/load-vendors.ts";
import { buildVendorSyncApp } from "../lib/app.ts";
import { loadStageConfig } from "../lib/config/stage-config.ts";

const app = new App();
const stage = loadStageConfig(String(app.node.tryGetContext("stage") ?? "dev"));
buildVendorSyncApp(app, { stage, vendors: [...loadVendorConfigs().values()] });
