import { ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { type AslJson, localTestCopy, substitutedDefinition, validateAsl } from "../support/state-machine.ts";

describe("statemachines/batch-sync.asl.json (offline validation)", () => {
  it("is valid Amazon States Language, paths and ARNs checked, after substitution", () => {
    const result = validateAsl(substitutedDefinition(), { checkPaths: true, checkArn: true });
    expect(result.errorsText(), "asl-validator").toBe("");
    expect(result.isValid).toBe(true);
  });

  it("fails validation when a transition points nowhere, so the check above means something", () => {
    const broken = substitutedDefinition();
    broken.States.Validate.Next = "NoSuchState";
    expect(validateAsl(broken).isValid).toBe(false);
  });

  it("uses JSONPath only (the local engine runs no JSONata and no Assign)", () => {
    const text = JSON.stringify(substitutedDefinition());
    expect(substitutedDefinition().QueryLanguage).toBe("JSONPath");
    expect(text).not.toMatch(/"Assign"|"Arguments"|"Output"|\{%/);
  });
});

type Handler = (input: AslJson) => unknown;

const EXECUTION_INPUT = {
  jobId: "01JOB",
  vendorId: "canonical",
  source: { bucket: "vendor-sync-imports-test", key: "imports/canonical/feed.jsonl", versionId: "v1" },
  asOf: null,
  full: false,
  dryRun: false,
  trigger: "upload",
  config: { maxConcurrency: 4, toleratedFailurePercent: 5 },
};

const prepared = (overrides: Record<string, unknown> = {}) => ({
  jobId: "01JOB",
  vendorId: "canonical",
  normalisedKey: "normalised/canonical/01JOB/changes.jsonl",
  mapRunsPrefix: "results/canonical/01JOB/map-runs",
  changes: 3,
  rowsRead: 3,
  rejected: 0,
  asOf: 1_800_000_000_000,
  entityTypes: ["price"],
  shards: [],
  ...overrides,
});

const validation = (overrides: Record<string, unknown> = {}) => ({
  ok: true,
  changeParts: 1,
  tombstoneParts: 0,
  changeManifestKey: "changesets/canonical/01JOB/manifest.jsonl",
  tombstoneManifestKey: "changesets/canonical/01JOB/tombstones.jsonl",
  ...overrides,
});

const committed = (status: string) => ({
  status,
  notification: { subject: `vendor-sync batch job ${status}`, message: JSON.stringify({ status }), workflow: "batch" },
});

class MapRunError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Runs the test copy with local handlers; records every Task state entered, in order, with its input. */
async function run(input: Record<string, unknown>, handlers: Record<string, Handler>) {
  const calls: { state: string; input: AslJson }[] = [];
  const defaults: Record<string, Handler> = {
    Prepare: () => prepared(),
    Plan: () => ({ MapRunArn: "arn:plan", ResultWriterDetails: {} }),
    PlanShardTombstones: () => ({ batchId: "t", kind: "tombstones", received: 0, pending: 0 }),
    Validate: () => validation(),
    Apply: () => ({ MapRunArn: "arn:apply" }),
    ApplyTombstones: () => ({ MapRunArn: "arn:tombstones" }),
    Commit: () => committed("SUCCEEDED"),
    MarkFailed: (event) => ({
      status: "FAILED",
      error: event.error.Error,
      notification: { subject: "failed", message: "{}", workflow: "batch" },
    }),
    Notify: () => ({ MessageId: "m-1" }),
  };
  const overrides = Object.fromEntries(
    Object.entries({ ...defaults, ...handlers }).map(([state, handler]) => [
      state,
      async (event: AslJson) => {
        calls.push({ state, input: event });
        return handler(event);
      },
    ]),
  );
  const machine = new StateMachine(localTestCopy(substitutedDefinition()) as never, {
    validationOptions: { checkArn: false },
  });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: overrides as never, retryIntervalOverrides: { Prepare: 0 } },
  });
  let output: unknown;
  let error: unknown;
  try {
    output = await execution.result;
  } catch (caught) {
    error = caught;
  }
  return { output, error, calls, states: calls.map((c) => c.state) };
}

describe("batch workflow control flow (aws-local-stepfunctions, Distributed Maps stubbed)", () => {
  it("runs prepare → plan → validate → apply → commit → notify and succeeds", async () => {
    const { error, states, calls, output } = await run(EXECUTION_INPUT, {});
    expect(error).toBeUndefined();
    expect(states).toEqual(["Prepare", "Plan", "Validate", "Apply", "Commit", "Notify"]);
    expect(calls.find((c) => c.state === "Validate")?.input).toEqual({
      jobId: "01JOB",
      vendorId: "canonical",
      full: false,
      dryRun: false,
      prepared: prepared(),
    });
    expect(calls.find((c) => c.state === "Commit")?.input).toEqual({ jobId: "01JOB", vendorId: "canonical" });
    expect(calls.find((c) => c.state === "Notify")?.input).toMatchObject({
      TopicArn: expect.stringContaining(":jobs"),
      Subject: "vendor-sync batch job SUCCEEDED",
      MessageAttributes: {
        vendorId: { StringValue: "canonical" },
        status: { StringValue: "SUCCEEDED" },
        workflow: { StringValue: "batch" },
      },
    });
    expect(output).toMatchObject({ commit: { status: "SUCCEEDED" } });
  });

  it("skips the plan Map for a file without changes and the apply Map when nothing is to be written", async () => {
    const { states } = await run(EXECUTION_INPUT, {
      Prepare: () => prepared({ changes: 0 }),
      Validate: () => validation({ changeParts: 0 }),
    });
    expect(states).toEqual(["Prepare", "Validate", "Commit", "Notify"]);
  });

  it("fails the job and notifies when a Map goes over its tolerated failure percentage", async () => {
    const { error, states, calls } = await run(EXECUTION_INPUT, {
      Apply: () => {
        throw new MapRunError("States.ExceedToleratedFailureThreshold", "3 of 40 items failed");
      },
    });
    expect(states).toEqual(["Prepare", "Plan", "Validate", "Apply", "MarkFailed", "Notify"]);
    expect(calls.find((c) => c.state === "MarkFailed")?.input).toEqual({
      jobId: "01JOB",
      vendorId: "canonical",
      trigger: "upload",
      error: { Error: "States.ExceedToleratedFailureThreshold", Cause: "3 of 40 items failed" },
    });
    expect(calls.find((c) => c.state === "Notify")?.input.MessageAttributes.status.StringValue).toBe("FAILED");
    expect(error).toBeInstanceOf(ExecutionError);
  });

  it("fails the job the same way when the plan Map's failures are over the tolerance", async () => {
    const { states } = await run(EXECUTION_INPUT, {
      Plan: () => {
        throw new MapRunError("States.ExceedToleratedFailureThreshold", "plan batches failed");
      },
    });
    expect(states).toEqual(["Prepare", "Plan", "MarkFailed", "Notify"]);
  });

  it("fails the job when validation refuses the plan: nothing is applied", async () => {
    const { error, states } = await run(EXECUTION_INPUT, {
      Validate: () => validation({ ok: false, reason: "rejected share 12.5 % is over the tolerated 5 %" }),
      Commit: () => committed("FAILED"),
    });
    expect(states).toEqual(["Prepare", "Plan", "Validate", "Commit", "Notify"]);
    expect(error).toBeInstanceOf(ExecutionError);
  });

  it("plans tombstones per shard for a full snapshot and stops at the mass-deletion guard", async () => {
    const shards = Array.from({ length: 16 }, (_, i) => i);
    const { states, calls } = await run(
      { ...EXECUTION_INPUT, full: true },
      {
        Prepare: () => prepared({ shards }),
        Validate: () =>
          validation({ ok: false, tombstoneParts: 3, reason: "would tombstone 25.0 %, over the guard of 10 %" }),
        Commit: () => committed("FAILED"),
      },
    );
    const tombstoneCalls = calls.filter((c) => c.state === "PlanShardTombstones");
    expect(tombstoneCalls.map((c) => c.input.shard).sort((a, b) => a - b)).toEqual(shards);
    expect(tombstoneCalls[0]?.input).toMatchObject({
      kind: "tombstones",
      jobId: "01JOB",
      vendorId: "canonical",
      asOf: 1_800_000_000_000,
      dryRun: false,
      entityTypes: ["price"],
    });
    expect(states.filter((s) => s !== "PlanShardTombstones")).toEqual([
      "Prepare",
      "Plan",
      "Validate",
      "Commit",
      "Notify",
    ]);
  });

  it("applies a full snapshot's tombstones after every other change", async () => {
    const { states, error } = await run(
      { ...EXECUTION_INPUT, full: true },
      { Prepare: () => prepared({ shards: [0, 1] }), Validate: () => validation({ tombstoneParts: 2 }) },
    );
    expect(error).toBeUndefined();
    expect(states.filter((s) => s !== "PlanShardTombstones")).toEqual([
      "Prepare",
      "Plan",
      "Validate",
      "Apply",
      "ApplyTombstones",
      "Commit",
      "Notify",
    ]);
  });

  it("ends a dry run after validation: no apply, the job commits and notifies", async () => {
    const { states, error } = await run({ ...EXECUTION_INPUT, dryRun: true }, {});
    expect(error).toBeUndefined();
    expect(states).toEqual(["Prepare", "Plan", "Validate", "Commit", "Notify"]);
  });

  it("marks the job failed when a stage keeps failing", async () => {
    const { states, calls } = await run(EXECUTION_INPUT, {
      Validate: () => {
        throw new MapRunError("ConcurrentUpdateError", "job 01JOB cannot move to SUCCEEDED");
      },
    });
    expect(states).toEqual(["Prepare", "Plan", "Validate", "MarkFailed", "Notify"]);
    expect(calls.find((c) => c.state === "MarkFailed")?.input.error.Error).toBe("ConcurrentUpdateError");
  });
});
