/**
 * The batch state machine as the sandbox runs it: `statemachines/batch-sync.asl.json` with its
 * `${…}` placeholders substituted (as CloudFormation's `DefinitionSubstitutions` do on AWS) and each
 * Distributed Map turned into a Task that `distributed-map.ts` runs, because aws-local-stepfunctions
 * runs Map states only over an `ItemsPath` array. Pure JSON work: no engine is loaded here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The definition file; `lib/constructs/batch-sync-workflow.ts` deploys the same file. */
export const BATCH_SYNC_ASL = fileURLToPath(new URL("../../statemachines/batch-sync.asl.json", import.meta.url));

/** ASL JSON (states are walked by key). */
// biome-ignore lint/suspicious/noExplicitAny: ASL is dynamic JSON, checked by asl-validator in tests.
export type AslState = Record<string, any>;
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly TimeoutSeconds?: number;
  readonly [field: string]: unknown;
}

/** The fake account and region of every ARN the sandbox makes up. */
export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "local";

/** The batch workflow's stage functions, by the name the sandbox knows them. */
export type StageFunction = "prepare" | "plan" | "validate" | "apply" | "commit" | "fail";

/** The definition's placeholders and what each stands for (CDK passes the deployed resources). */
const FUNCTION_PLACEHOLDERS: Readonly<Record<string, StageFunction>> = {
  PrepareFunctionArn: "prepare",
  PlanFunctionArn: "plan",
  ValidateFunctionArn: "validate",
  ApplyFunctionArn: "apply",
  CommitFunctionArn: "commit",
  FailFunctionArn: "fail",
};

/** @returns the made-up Lambda ARN of a stage function in the sandbox. */
export const localFunctionArn = (stage: StageFunction) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:vendor-sync-batch-${stage}`;

/** @returns the stage function a Task's `Resource` names, or `undefined` for any other resource. */
export function stageOf(resource: unknown): StageFunction | undefined {
  if (typeof resource !== "string") return undefined;
  return Object.values(FUNCTION_PLACEHOLDERS).find((stage) => localFunctionArn(stage) === resource);
}

/** The Resource of the Task a Distributed Map becomes. */
export const distributedMapResource = (stateName: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:distributedMap:${stateName}`;

/** The job topic's made-up ARN (the Notify step's `TopicArn`). */
export const LOCAL_JOB_TOPIC_ARN = `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:vendor-sync-jobs`;

/** The non-function resources a local run names. */
export interface LocalResources {
  readonly bucketName: string;
  readonly jobTopicArn?: string;
}

/**
 * Substitutes the definition's `${Name}` placeholders for the sandbox: stage function ARNs, the
 * imports bucket's name, the job topic.
 *
 * @param text - the definition's text (the file's by default).
 * @param resources.bucketName - what `${ImportsBucketName}` becomes (the sandbox's store answers to it).
 * @param resources.jobTopicArn - what `${JobTopicArn}` becomes. @default {@link LOCAL_JOB_TOPIC_ARN}
 * @throws {Error} naming a placeholder the sandbox does not know (a new one needs a local meaning).
 */
export function substituteLocally(text: string, resources: LocalResources): AslDefinition {
  const values: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(FUNCTION_PLACEHOLDERS).map(([name, stage]) => [name, localFunctionArn(stage)]),
    ),
    ImportsBucketName: resources.bucketName,
    JobTopicArn: resources.jobTopicArn ?? LOCAL_JOB_TOPIC_ARN,
  };
  return JSON.parse(
    text.replace(/\$\{([A-Za-z]+)\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`the sandbox has no value for the definition's placeholder \${${name}}`);
      return value;
    }),
  ) as AslDefinition;
}

/** Step Functions' Task default timeout is 99999999 s; aws-local-stepfunctions' is 60 s. */
const LONGEST_LOCAL_TASK_SECONDS = 86_400;

/**
 * A field of a Distributed Map that is either a value or a `…Path` reference, as a Parameters entry
 * (`"X": value` or `"X.$": path`), so the engine resolves the path against the state's input.
 */
function valueOrPath(target: Record<string, unknown>, source: AslState | undefined, field: string): void {
  if (!source) return;
  if (source[`${field}Path`] !== undefined) target[`${field}.$`] = source[`${field}Path`];
  else if (source[field] !== undefined) target[field] = source[field];
}

/** Fields of a Distributed Map the adapter does not implement (it refuses a definition using them). */
const UNSUPPORTED_MAP_FIELDS = ["ItemSelector", "Parameters", "ItemsPath", "Items", "Iterator"] as const;

/**
 * Turns each Distributed Map (`ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED`) into a Task whose
 * Parameters carry what the Map Run needs, resolved by the engine from the state's input:
 * `ItemReader` (Bucket, Key), `BatchInput`, `MaxItemsPerBatch`, `MaxInputBytesPerBatch`,
 * `MaxConcurrency`, `ToleratedFailurePercentage`, `ToleratedFailureCount`, `ResultWriter` (Bucket,
 * Prefix). The Task keeps the Map's InputPath, ResultSelector, ResultPath, OutputPath, Retry, Catch
 * and transition. Every Task gets a timeout long enough for a large file (the local engine's default
 * is 60 s). Inline Maps stay as they are: the engine runs them.
 *
 * @returns the local definition, and each Distributed Map's own definition by state name.
 * @throws {Error} for a Distributed Map using a field the adapter does not implement.
 */
export function replaceDistributedMaps(definition: AslDefinition): {
  readonly definition: AslDefinition;
  readonly distributedMaps: ReadonlyMap<string, AslState>;
} {
  const copy = structuredClone(definition) as AslDefinition & { States: Record<string, AslState> };
  const distributedMaps = new Map<string, AslState>();
  const longTasks = (states: Record<string, AslState>) => {
    for (const state of Object.values(states)) {
      if (state.Type === "Task" && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = Math.min(
          definition.TimeoutSeconds ?? LONGEST_LOCAL_TASK_SECONDS,
          LONGEST_LOCAL_TASK_SECONDS,
        );
      }
      if (state.Type === "Map" && state.ItemProcessor) longTasks(state.ItemProcessor.States);
    }
  };
  for (const [name, state] of Object.entries(copy.States)) {
    if (state.Type !== "Map" || state.ItemProcessor?.ProcessorConfig?.Mode !== "DISTRIBUTED") continue;
    const unsupported = UNSUPPORTED_MAP_FIELDS.filter((field) => state[field] !== undefined);
    if (!state.ItemReader || unsupported.length > 0) {
      throw new Error(
        `Distributed Map ${name}: the sandbox reads items with an ItemReader only and does not implement ${unsupported.join(", ") || "Maps without one"}`,
      );
    }
    const parameters: Record<string, unknown> = { ItemReader: state.ItemReader.Parameters ?? {} };
    if (state.ItemBatcher?.BatchInput !== undefined) parameters.BatchInput = state.ItemBatcher.BatchInput;
    valueOrPath(parameters, state.ItemBatcher, "MaxItemsPerBatch");
    valueOrPath(parameters, state.ItemBatcher, "MaxInputBytesPerBatch");
    valueOrPath(parameters, state, "MaxConcurrency");
    valueOrPath(parameters, state, "ToleratedFailurePercentage");
    valueOrPath(parameters, state, "ToleratedFailureCount");
    if (state.ResultWriter?.Parameters) parameters.ResultWriter = state.ResultWriter.Parameters;
    const kept = ["InputPath", "ResultSelector", "ResultPath", "OutputPath", "Retry", "Catch", "Next", "End"];
    copy.States[name] = {
      Type: "Task",
      Comment: `Distributed Map ${name}, run by the sandbox's adapter (local/batch-workflow/distributed-map.ts)`,
      Resource: distributedMapResource(name),
      Parameters: parameters,
      ...Object.fromEntries(kept.filter((field) => state[field] !== undefined).map((field) => [field, state[field]])),
    };
    distributedMaps.set(name, state);
  }
  longTasks(copy.States);
  for (const map of distributedMaps.values()) longTasks(map.ItemProcessor.States);
  return { definition: copy, distributedMaps };
}

/** Reads the definition file (or takes an edited copy's text) and makes it runnable in the sandbox. */
export function localBatchDefinition(resources: LocalResources, text: string = readFileSync(BATCH_SYNC_ASL, "utf8")) {
  return replaceDistributedMaps(substituteLocally(text, resources));
}
