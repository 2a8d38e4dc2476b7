/**
 * Runs a batch job in the sandbox by executing the batch state machine itself
 * (`statemachines/batch-sync.asl.json`) with aws-local-stepfunctions: the definition's Choice states,
 * Retry and Catch, paths and transitions decide what runs; each Task's `Resource` says which stage
 * handler (the same `makeHandler` as the Lambda's) or service stand-in does the work, and Distributed
 * Maps run through `distributed-map.ts`. The engine is imported when the first job runs, so commands
 * that run none do not load it.
 */
import type { CommitResult } from "../../lambdas/core/batch/commit.ts";
import type { JobNotification } from "../../lambdas/core/batch/jobs.ts";
import type { BatchExecutionInput, PrepareSummary, ValidationReport } from "../../lambdas/core/batch/model.ts";
import type { ObjectStore } from "../../lambdas/core/batch/ports.ts";
import {
  type AslDefinition,
  type AslState,
  distributedMapResource,
  localBatchDefinition,
  type StageFunction,
  stageOf,
} from "./definition.ts";
import { type MapRunParameters, runDistributedMap } from "./distributed-map.ts";

/** The stage handlers (`makeHandler` of each `lambdas/batch-*` function). */
export interface BatchStageHandlers {
  readonly prepare: (event: unknown) => Promise<PrepareSummary>;
  readonly plan: (event: unknown) => Promise<unknown>;
  readonly validate: (event: unknown) => Promise<ValidationReport>;
  readonly apply: (event: unknown) => Promise<unknown>;
  readonly commit: (event: unknown) => Promise<CommitResult>;
  readonly fail: (event: unknown) => Promise<{ status: "FAILED"; error: string; notification: JobNotification }>;
}

/** The Notify step's `sns:publish` parameters, as the state machine builds them. */
export interface JobTopicMessage {
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { readonly DataType: string; readonly StringValue: string }>;
}

export interface LocalRunOptions {
  /** Wait before each retry of a Retry rule, ms (Step Functions waits 2 s and more). @default 50 */
  readonly retryDelayMs?: number;
  /** Told of each failed Map child (after its retries) and of the error the Catch caught. */
  readonly onError?: (error: unknown) => void;
  /** The Notify step's `arn:aws:states:::sns:publish`. @default nothing is published */
  readonly publish?: (message: JobTopicMessage) => Promise<void>;
  /** Another definition's text (tests run edited copies). @default statemachines/batch-sync.asl.json */
  readonly definition?: string;
  /** The imports bucket's name in the definition; the store answers to it. @default "local" */
  readonly bucketName?: string;
  /** The job topic's ARN in the definition (the Notify step's `TopicArn`). @default a made-up local ARN */
  readonly jobTopicArn?: string;
  /**
   * Stops the execution when aborted, as StopExecution does: no state or Map child starts after it,
   * the ones running finish, then the run rejects (no Catch runs; the caller ends the job).
   */
  readonly signal?: AbortSignal;
}

/** How a local run ended: the commit result, or the Catch's. */
export type LocalRunResult =
  | { readonly kind: "committed"; readonly result: CommitResult }
  | { readonly kind: "caught"; readonly error: string; readonly notification: JobNotification };

type TaskHandler = (input: unknown) => Promise<unknown>;
type Engine = typeof import("aws-local-stepfunctions");

let engine: Promise<Engine> | undefined;
/** aws-local-stepfunctions, imported once, on first use. */
const loadEngine = () => {
  engine ??= import("aws-local-stepfunctions");
  return engine;
};

/** Every Task state of a definition, nested ones (Map item processors) included. */
function* taskStates(states: Record<string, AslState>): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === "Task") yield [name, state];
    if (state.Type === "Map" && state.ItemProcessor) yield* taskStates(state.ItemProcessor.States);
  }
}

/**
 * Runs one batch job through the state machine: prepare → plan Map → (full snapshot) tombstone plan
 * → validate → (unless a dry run or refused) apply Map → tombstone apply Map → commit → notify, with
 * the definition's Catch → the fail handler.
 *
 * @returns the commit's result, or the Catch's when a stage failed.
 * @throws the execution's error when not even the fail handler could end the job.
 */
export async function runBatchLocally(
  input: BatchExecutionInput,
  handlers: BatchStageHandlers,
  store: ObjectStore,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const { StateMachine } = await loadEngine();
  const bucketName = options.bucketName ?? "local";
  const { definition, distributedMaps } = localBatchDefinition(
    { bucketName, ...(options.jobTopicArn ? { jobTopicArn: options.jobTopicArn } : {}) },
    options.definition,
  );
  let ended: LocalRunResult | undefined;
  let lastError: unknown;
  const stages: Record<StageFunction, TaskHandler> = {
    ...handlers,
    commit: async (event) => {
      const result = await handlers.commit(event);
      ended = { kind: "committed", result };
      return result;
    },
    fail: async (event) => {
      if (lastError !== undefined) options.onError?.(lastError);
      const failed = await handlers.fail(event);
      ended = { kind: "caught", error: failed.error, notification: failed.notification };
      return failed;
    },
  };
  // Tasks running now: a stopped execution waits for them (their writes count) before it rejects.
  const running = new Set<Promise<unknown>>();
  // What the Catch caught, as an Error (the state's input only carries its name and message).
  const remembered =
    (handler: TaskHandler): TaskHandler =>
    async (event) => {
      options.signal?.throwIfAborted();
      const task = handler(event);
      running.add(task);
      try {
        return await task;
      } catch (error) {
        lastError = error;
        throw error;
      } finally {
        running.delete(task);
      }
    };
  const bucket = (name: string) => {
    if (name !== bucketName) throw new Error(`the sandbox has no bucket ${name} (only ${bucketName})`);
    return store;
  };

  const localHandlers: Record<string, TaskHandler> = {};
  const retryIntervals: Record<string, number> = {};
  const bind = (states: Record<string, AslState>) => {
    for (const [name, state] of taskStates(states)) {
      if (state.Retry) retryIntervals[name] = options.retryDelayMs ?? 50;
      const stage = stageOf(state.Resource);
      if (stage) localHandlers[name] = remembered(stages[stage]);
      else if (state.Resource === "arn:aws:states:::sns:publish") {
        localHandlers[name] = async (message) => {
          await options.publish?.(message as JobTopicMessage);
          return { MessageId: `local-${name}` };
        };
      } else if (state.Resource !== distributedMapResource(name)) {
        throw new Error(`the sandbox cannot run the Task ${name}: no local stand-in for ${String(state.Resource)}`);
      }
    }
  };
  bind(definition.States);
  const runOptions = {
    overrides: { taskResourceLocalHandlers: localHandlers, retryIntervalOverrides: retryIntervals },
  } as const;
  for (const [name, map] of distributedMaps) {
    bind(map.ItemProcessor.States);
    const children = new StateMachine(map.ItemProcessor, { validationOptions: { noValidate: true } });
    localHandlers[name] = remembered((parameters) =>
      runDistributedMap(name, map, parameters as MapRunParameters, {
        bucket,
        runChild: (child) => {
          options.signal?.throwIfAborted();
          return children.run(child as never, runOptions as never).result;
        },
        ...(options.onError
          ? { onChildError: (error: unknown) => (options.signal?.aborted ? undefined : options.onError?.(error)) }
          : {}),
      }),
    );
  }

  // The definition file is checked with asl-validator by the tests; the local copy is not re-validated.
  const machine = new StateMachine(definition as AslDefinition as never, { validationOptions: { noValidate: true } });
  const execution = machine.run(input as never, runOptions as never);
  const stop = () => execution.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  try {
    await execution.result;
  } catch (error) {
    if (options.signal?.aborted && !ended) {
      while (running.size > 0) await Promise.allSettled([...running]);
      throw options.signal.reason ?? error;
    }
    // JobFailed (a Fail state) after a failed job was committed or caught: the job has ended.
    if (!ended) throw error;
  } finally {
    options.signal?.removeEventListener("abort", stop);
  }
  if (!ended) throw new Error("the batch state machine ended without committing or failing the job");
  return ended;
}
