/**
 * Bundled commands no scenario sent: each is evaluated as if the function had sent it to the
 * resources it does use of that service (its tables, the object keys it wrote or read, its queues,
 * topics, state machines, secrets). A command the role could make anyway is merely unexercised; one
 * it could not make, or one with no resource of its service in use, must be explained.
 */
import type { CommandId } from "./bundles.ts";
import type { RecordedCall } from "./capture.ts";
import type { ContractHarness } from "./harness.ts";
import { iamRequestsFor } from "./iam-requests.ts";

/** A bundled command no scenario sent, and what IAM would say if it were. */
export interface UnsentCommand {
  readonly function: string;
  readonly command: CommandId;
  /** "granted": allowed on a resource the function uses; "denied": allowed on none; "no-resource": the function uses none of its service. */
  readonly verdict: "granted" | "denied" | "no-resource";
}

/** Inputs that aim a command at a resource another recorded call of the same service used. */
function targetsOf(calls: readonly RecordedCall[], service: string, command: string): Record<string, unknown>[] {
  const inputs = calls.filter((call) => call.service === service).map((call) => call.input);
  const unique = (values: Record<string, unknown>[]) => [
    ...new Map(values.map((v) => [JSON.stringify(v), v])).values(),
  ];
  switch (service) {
    case "DynamoDB":
      return unique(
        inputs
          .flatMap((input) => (input.TableName ? [String(input.TableName)] : Object.keys(input.RequestItems ?? {})))
          .map((table) => (command.startsWith("Batch") ? { RequestItems: { [table]: {} } } : { TableName: table })),
      );
    case "S3": {
      // Grants are by top-level prefix (`results/`, `webhooks/`, …): one key of each is enough.
      const byPrefix = new Map<string, Record<string, unknown>>();
      for (const input of inputs) {
        const key = String(input.Key ?? `${String(input.Prefix ?? "")}object`);
        const top = `${String(input.Bucket)}/${key.split("/")[0]}`;
        if (!byPrefix.has(top)) {
          byPrefix.set(
            top,
            command === "ListObjectsV2Command"
              ? { Bucket: input.Bucket, Prefix: key.replace(/[^/]*$/, "") }
              : { Bucket: input.Bucket, Key: key },
          );
        }
      }
      return [...byPrefix.values()];
    }
    case "SQS":
      return unique(inputs.filter((input) => input.QueueUrl).map((input) => ({ QueueUrl: input.QueueUrl })));
    case "SNS":
      return unique(inputs.map((input) => ({ TopicArn: input.TopicArn })));
    case "SFN":
      return unique(
        inputs.map((input) =>
          input.executionArn ? { executionArn: input.executionArn } : { stateMachineArn: input.stateMachineArn },
        ),
      );
    case "Secrets Manager":
      return unique(inputs.map((input) => ({ SecretId: input.SecretId })));
    default:
      return [];
  }
}

/** The verdict on each bundled command of `functionId` that no recorded call of it sent. */
export async function unsentCommands(
  h: ContractHarness,
  functionId: string,
  bundled: ReadonlySet<CommandId>,
): Promise<UnsentCommand[]> {
  const calls = h.calls.filter((call) => call.function === functionId);
  const sent = new Set(calls.map((call) => `${call.service} ${call.command}`));
  const role = h.roleOf(functionId);
  const region = calls[0]?.region ?? h.app.stacks[0]?.region ?? "";
  const verdicts: UnsentCommand[] = [];
  for (const command of [...bundled].filter((c) => !sent.has(c)).sort()) {
    const [service = "", name = ""] = command.split(/ (?=[^ ]+$)/);
    const targets = targetsOf(calls, service, name);
    let verdict: UnsentCommand["verdict"] = targets.length === 0 ? "no-resource" : "denied";
    for (const input of targets) {
      const requests = iamRequestsFor(
        { function: functionId, service, command: name, input, region },
        role,
        h.directory,
      );
      const decisions = await Promise.all(requests.map((request) => h.policies.evaluate(request)));
      if (decisions.every((decision) => decision === "Allowed")) verdict = "granted";
    }
    verdicts.push({ function: functionId, command, verdict });
  }
  return verdicts;
}
