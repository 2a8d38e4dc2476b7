/**
 * Everything the AWS contract tests share: the app's templates as deployed in a fake account, its
 * tables created in dynalite from the template, the fake services, the SDK call recorder, the
 * functions ready to invoke, and the policy model.
 */
import type { AddressInfo } from "node:net";
import { type AttributeValue, CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { asFunction, captureSdkCalls, type RecordedCall, stopCapture } from "./capture.ts";
import { DeployedApp, type SynthesizedStack } from "./cloudformation.ts";
import { FakeServices } from "./fake-services.ts";
import { DeployedFunctions } from "./functions.ts";
import { type IamRequest, iamRequestsFor, type ResourceDirectory } from "./iam-requests.ts";
import { awsManagedKeyArn, PolicyModel } from "./policies.ts";

/** Who the harness's own setup calls are attributed to (never evaluated). */
export const SETUP = "(test setup)";

export interface ContractHarness {
  readonly app: DeployedApp;
  readonly functions: DeployedFunctions;
  readonly policies: PolicyModel;
  readonly services: FakeServices;
  /** Every SDK call so far (setup included: filter on `function`). */
  readonly calls: RecordedCall[];
  readonly directory: ResourceDirectory;
  /** The role a recorded call's function (or state machine) runs with. */
  roleOf(logicalId: string): string;
  /** The authorizations IAM makes for the recorded calls (setup's left out). */
  requestsOf(calls: readonly RecordedCall[]): IamRequest[];
  /** Every item of a table, read by the test (not a function). */
  scanTable(tableName: string): Promise<Record<string, AttributeValue>[]>;
  close(): Promise<void>;
}

/** Secrets by name, topics' keys: what the IAM mapping needs of the deployed app. */
function resourceDirectory(app: DeployedApp): ResourceDirectory {
  return {
    account: app.account,
    secretArn: (secretId) => {
      if (secretId.startsWith("arn:")) return secretId;
      const secret = app
        .resources("AWS::SecretsManager::Secret")
        .find(([id, resource]) => app.resolve(resource.Properties.Name, app.stackOf(id)) === secretId);
      // A secret the operator creates (a vendor's pull credentials): AWS appends six random characters.
      if (!secret) return `arn:aws:secretsmanager:${app.stacks[0]?.region}:${app.account}:secret:${secretId}-Zx9Yw8`;
      return app.ref(secret[0]);
    },
    topicKeyArn: (topicArn) => {
      const topic = app.resources("AWS::SNS::Topic").find(([id]) => app.ref(id) === topicArn);
      if (!topic) throw new Error(`no topic ${topicArn} in the templates`);
      const [id, resource] = topic;
      const stack = app.stackOf(id);
      const key = resource.Properties.KmsMasterKeyId;
      if (key === undefined) return undefined;
      const resolved = String(app.resolve(key, stack));
      const managed = resolved.match(/alias\/aws\/([a-z-]+)$/);
      return managed ? awsManagedKeyArn(managed[1] ?? "", stack.region, app.account) : resolved;
    },
  };
}

/** Creates the template's DynamoDB tables, with their physical names, in dynalite. */
const setupClient = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

async function createTables(app: DeployedApp, client: DynamoDBClient): Promise<void> {
  const tables = [...app.resources("AWS::DynamoDB::GlobalTable"), ...app.resources("AWS::DynamoDB::Table")];
  await asFunction(SETUP, async () => {
    for (const [id, table] of tables) {
      const props = table.Properties;
      await client.send(
        new CreateTableCommand({
          TableName: app.ref(id),
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: props.KeySchema,
          AttributeDefinitions: props.AttributeDefinitions,
          ...(props.GlobalSecondaryIndexes
            ? {
                GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map((index: Record<string, unknown>) => ({
                  IndexName: index.IndexName,
                  KeySchema: index.KeySchema,
                  Projection: index.Projection,
                })),
              }
            : {}),
        }),
      );
    }
  });
}

/** Starts the harness over synthesized stacks. */
export async function startContractHarness(stacks: readonly SynthesizedStack[]): Promise<ContractHarness> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = new DeployedApp(stacks);
  const services = new FakeServices(new URL(endpoint));
  const calls = captureSdkCalls(services.respond);
  calls.length = 0;
  const client = setupClient(endpoint);
  await createTables(app, client);
  const functions = new DeployedFunctions(app);
  const directory = resourceDirectory(app);
  const roleOf = (logicalId: string) => {
    const fn = functions.all.find((f) => f.logicalId === logicalId);
    if (fn) return fn.roleArn;
    const resource = app.resource(logicalId);
    if (resource.Type === "AWS::StepFunctions::StateMachine") {
      return app.resolve(resource.Properties.RoleArn, app.stackOf(logicalId));
    }
    throw new Error(`no role for ${logicalId}`);
  };
  return {
    app,
    functions,
    policies: new PolicyModel(app),
    services,
    calls,
    directory,
    roleOf,
    requestsOf: (recorded) =>
      recorded
        .filter((call) => call.function !== SETUP)
        .flatMap((call) => iamRequestsFor(call, roleOf(call.function), directory)),
    scanTable: (tableName) =>
      asFunction(SETUP, async () => (await client.send(new ScanCommand({ TableName: tableName }))).Items ?? []),
    close: async () => {
      stopCapture();
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
