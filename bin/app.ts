/**
 * The CDK app: reads the stage and vendor configuration once (validated; any invalid vendor file
 * fails the synth, naming the file and each problem), builds the stateful and stateless stacks, and
 * runs cdk-nag's AWS Solutions checks.
 *
 * `npx cdk synth` uses the `dev` stage; `npx cdk synth -c stage=prod` another. Vendor files are read
 * from `$VENDOR_SYNC_VENDORS_DIR`, else `config/vendors/`.
 */
import { App } from "aws-cdk-lib";
import { loadVendorConfigs, resolveVendorsDir } from "../config/load-vendors.ts";
import { ConfigError } from "../lambdas/core/errors.ts";
import { buildVendorSyncApp } from "../lib/app.ts";
import { loadStageConfig } from "../lib/config/stage-config.ts";

/** Every vendor configuration, or the synth stops here naming each invalid file and problem (no stack trace). */
function readVendors() {
  try {
    return [...loadVendorConfigs(resolveVendorsDir(process.env)).values()];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`Synth refused: invalid vendor configuration\n${error.message}\n`);
    process.exit(1);
  }
}

const app = new App();
const stage = loadStageConfig(String(app.node.tryGetContext("stage") ?? "dev"));
buildVendorSyncApp(app, { stage, vendors: readVendors() });
