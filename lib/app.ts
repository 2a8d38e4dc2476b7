import { type App, Tags, Validations } from "aws-cdk-lib";
import type { RetentionDays } from "aws-cdk-lib/aws-logs";
import { AwsSolutionsChecks } from "cdk-nag";
import type { VendorConfig } from "../lambdas/core/vendor-config.ts";
import type { StageConfig } from "./config/stage-config.ts";
import { StatefulStack } from "./stacks/stateful-stack.ts";
import { VendorSyncStack } from "./stacks/vendor-sync-stack.ts";

export interface BuiltApp {
  readonly stateful: StatefulStack;
  readonly stateless: VendorSyncStack;
}

/** Builds both stacks of one stage into an app (the CDK app and the infra tests share this). */
export function buildApp(app: App, config: { stage: StageConfig; vendors: readonly VendorConfig[] }): BuiltApp {
  const { stage } = config;
  const env = {
    ...(stage.account ? { account: stage.account } : {}),
    ...(stage.region ? { region: stage.region } : {}),
  };
  const stateful = new StatefulStack(app, `VendorSync-${stage.stage}-Stateful`, {
    env,
    stage: stage.stage,
    retainData: stage.retainData,
    vendors: config.vendors,
    description: `Advanced Vendor Sync (${stage.stage}): tables`,
  });
  const stateless = new VendorSyncStack(app, `VendorSync-${stage.stage}`, {
    env,
    recordsTable: stateful.recordsTable,
    syncTable: stateful.syncTable,
    archiveBucketName: stateful.archiveBucketName,
    webhookSecrets: stateful.webhookSecrets,
    ...(stage.webhookDomain ? { webhookDomain: stage.webhookDomain } : {}),
    importsBucket: stateful.importsBucket,
    vendors: config.vendors,
    logRetention: stage.logRetentionDays as RetentionDays,
    alarmEmails: stage.alarmEmails,
    description: `Advanced Vendor Sync (${stage.stage}): functions, queues, APIs, workflows, monitoring`,
  });
  return { stateful, stateless };
}

/**
 * The app `npx cdk synth` builds (bin/app.ts): both stacks of the stage, the project's tags, and
 * cdk-nag's AWS Solutions checks, whose unacknowledged findings fail synthesis. The infra tests
 * build their apps with this too.
 */
export function buildVendorSyncApp(
  app: App,
  config: { stage: StageConfig; vendors: readonly VendorConfig[] },
): BuiltApp {
  const built = buildApp(app, config);
  Tags.of(app).add("project", "advanced-vendor-sync");
  Tags.of(app).add("stage", config.stage.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return built;
}
