/**
 * Batch executions that end outside their Catch, through the deployed functions: an upload's execution
 * stopped at apply by a cancel — through the on-demand function and through the admin API's cancel
 * route, each sending StopExecution for the job's execution — then the execution's ABORTED status
 * event, as the template's rule matches it, handed to the execution-ended function, which ends the
 * job CANCELLED with received = sum of outcomes; the same event again changes nothing.
 */
import { expect } from "vitest";
import { CANCEL_STOP_ERROR } from "../../../lambdas/adapters/sfn/sfn-execution-control.ts";
import type { BatchExecutionInput } from "../../../lambdas/core/batch/model.ts";
import { countsReconcile, type OutcomeCounts } from "../../../lambdas/core/outcomes.ts";
import { executionStatusChangeEvent, objectCreatedEvent } from "../../support/aws/events.ts";
import type { ContractHarness } from "../../support/aws/harness.ts";
import type { IamRequest } from "../../support/aws/iam-requests.ts";
import { runExecution } from "./batch.ts";
import { adminApiEvent } from "./scheduled.ts";

type Job = { jobId: string; status: string; counts: OutcomeCounts; errorSummary?: string };

const priceLine = (key: string, amount: string) =>
  JSON.stringify({
    entityType: "price",
    entityKey: key,
    sourceTs: "2026-11-02T00:00:00Z",
    attributes: { amount, currency: "USD" },
  });

export async function executionEndsScenario(h: ContractHarness, derived: IamRequest[]): Promise<void> {
  const starter = h.functions.byEntry("batch-start");
  const ended = h.functions.byEntry("batch-execution-ended");
  const onDemand = h.functions.byEntry("sync-jobs");
  const adminApi = h.functions.byEntry("admin-api");
  const imports = String(h.functions.byEntry("batch-prepare").environment.IMPORTS_BUCKET_NAME);
  const [machineId] = h.app.resources("AWS::StepFunctions::StateMachine")[0] ?? [];
  const machineArn = h.app.ref(machineId ?? "");
  const getJob = async (jobId: string) =>
    ((await h.functions.invoke(onDemand, { operation: "getJob", jobId })) as { job: Job }).job;

  const cancels: Record<string, (jobId: string) => Promise<void>> = {
    "on-demand": async (jobId) => {
      expect(await h.functions.invoke(onDemand, { operation: "cancelJob", jobId })).toMatchObject({ ok: true });
    },
    "admin-api": async (jobId) => {
      const answer = (await h.functions.invoke(
        adminApi,
        adminApiEvent("POST /admin/jobs/{jobId}/cancel", `/admin/jobs/${jobId}/cancel`, { jobId }),
      )) as { statusCode: number };
      expect(answer.statusCode).toBe(202);
    },
  };
  for (const [via, cancel] of Object.entries(cancels)) {
    const key = `imports/canonical/cancelled-via-${via}.jsonl`;
    // Nine prices and a row prepare rejects (10 %, under the vendor's tolerated share).
    const rows = Array.from({ length: 9 }, (_, i) => priceLine(`X-${via}-${i}`, `${i + 3}.00`));
    const file = `${[...rows, '{"entityType":"price"}'].join("\n")}\n`;
    h.services.putObject(imports, key, file);
    expect(await h.functions.invoke(starter, objectCreatedEvent(h.app, imports, key, file.length, "v1"))).toMatchObject(
      { outcome: "started" },
    );
    const execution = h.services.executions.splice(0).at(-1);
    const input = JSON.parse(execution?.input ?? "{}") as BatchExecutionInput;
    const name = execution?.name ?? "";
    await expect(
      runExecution(h, input, derived, undefined, { stage: "apply", first: () => cancel(input.jobId) }),
    ).rejects.toThrow("execution stopped before apply");
    expect(await getJob(input.jobId)).toMatchObject({ status: "RUNNING", cancelRequestedAt: expect.any(Number) });
    const stop = h.services.stopped.find((s) =>
      s.executionArn.endsWith(`:execution:${machineArn.split(":").at(-1)}:${name}`),
    );
    expect(stop, `StopExecution of ${name} (cancel via ${via})`).toMatchObject({ error: CANCEL_STOP_ERROR });

    const aborted = executionStatusChangeEvent(h.app, machineArn, name, "ABORTED", input, {
      error: stop?.error ?? null,
      cause: stop?.cause ?? null,
    });
    expect(await h.functions.invoke(ended, aborted)).toMatchObject({ outcome: "ended", status: "CANCELLED" });
    const job = await getJob(input.jobId);
    expect(job).toMatchObject({ status: "CANCELLED", counts: { received: 10, rejected: 1, failed: 9 } });
    expect(countsReconcile(job.counts)).toBe(true);
    // EventBridge delivers at least once.
    expect(await h.functions.invoke(ended, aborted)).toMatchObject({ outcome: "already-ended" });
    expect(await getJob(input.jobId)).toEqual(job);
  }
}
