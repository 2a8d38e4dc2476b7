import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoJobStore } from "../../lambdas/adapters/dynamodb/job-store.ts";
import { DynamoVendorStateStore } from "../../lambdas/adapters/dynamodb/vendor-state-store.ts";
import { T0 } from "../support/changes.ts";
import { startTestDynamo } from "../support/dynamo.ts";

let dynamo: Awaited<ReturnType<typeof startTestDynamo>>;

beforeAll(async () => {
  dynamo = await startTestDynamo();
});
afterAll(async () => {
  await dynamo.close();
});

/** The sync table on a fresh client (as a second process would have). */
const table = () => ({ client: dynamo.newClient(), tableName: dynamo.tables.sync });

describe("jobs in the sync table", () => {
  it("moves QUEUED → RUNNING → SUCCEEDED and refuses to move a finished job", async () => {
    const jobs = new DynamoJobStore(table());
    await jobs.createJob({
      jobId: "J1",
      vendorId: "jobs",
      workflow: "batch",
      trigger: "cli",
      input: { file: "a.csv" },
      createdAt: T0,
    });
    await jobs.transitionJob("J1", "RUNNING", { startedAt: T0 + 1 });
    await jobs.transitionJob("J1", "SUCCEEDED", { finishedAt: T0 + 5, durationMs: 4 });
    expect(await jobs.getJob("J1")).toMatchObject({ status: "SUCCEEDED", durationMs: 4, input: { file: "a.csv" } });
    await expect(jobs.transitionJob("J1", "RUNNING")).rejects.toThrow(/cannot move to RUNNING/);
    await expect(jobs.transitionJob("J1", "FAILED")).rejects.toThrow(/cannot move to FAILED/);
  });

  it("ends a job it has not read: the write returns the job, its duration counted from the stored start", async () => {
    const jobs = new DynamoJobStore(table());
    const job = {
      jobId: "J-unread",
      vendorId: "jobs",
      workflow: "batch" as const,
      trigger: "cli" as const,
      input: {},
      createdAt: T0,
    };
    // Created already RUNNING (a batch run's start writes first); a second create is refused.
    expect(await jobs.createJob({ ...job, startedAt: T0 + 10 })).toMatchObject({ status: "RUNNING" });
    await expect(jobs.createJob(job)).rejects.toThrow(/already exists/);
    const ended = await jobs.transitionJob(
      "J-unread",
      "SUCCEEDED",
      { finishedAt: T0 + 250 },
      {},
      {
        durationUntil: T0 + 250,
      },
    );
    expect(ended).toMatchObject({ status: "SUCCEEDED", startedAt: T0 + 10, durationMs: 240, finishedAt: T0 + 250 });
    expect(await jobs.getJob("J-unread")).toEqual(ended);
    await expect(jobs.transitionJob("J-unread", "FAILED")).rejects.toThrow(/cannot move to FAILED/);
    await expect(jobs.transitionJob("J-missing", "RUNNING")).rejects.toThrow(/cannot move to RUNNING/);
  });

  it("lists a vendor's jobs newest first", async () => {
    const jobs = new DynamoJobStore(table());
    for (const [id, at] of [
      ["A", T0],
      ["B", T0 + 2000],
      ["C", T0 + 1000],
    ] as const) {
      await jobs.createJob({
        jobId: `list-${id}`,
        vendorId: "joblist",
        workflow: "batch",
        trigger: "cli",
        input: {},
        createdAt: at,
      });
    }
    expect((await jobs.listJobs("joblist")).map((j) => j.jobId)).toEqual(["list-B", "list-C", "list-A"]);
    expect((await jobs.listJobs("joblist", { since: T0 + 500 })).map((j) => j.jobId)).toEqual(["list-B", "list-C"]);
  });
});

describe("vendor state in the sync table", () => {
  it("keeps vendor freshness moving forward only", async () => {
    const vendors = new DynamoVendorStateStore(table());
    await vendors.recordSync("fresh", { finishedAt: T0 + 10, newestSourceTs: T0 + 5 });
    await vendors.recordSync("fresh", { finishedAt: T0 + 20, newestSourceTs: T0 + 1 });
    expect(await vendors.getVendorState("fresh")).toMatchObject({ lastSuccessAt: T0 + 20, newestSourceTs: T0 + 5 });
  });

  it("moves the pull watermark and the file-drop position forward only", async () => {
    const vendors = new DynamoVendorStateStore(table());
    await vendors.advanceWatermark("marks", { pullWatermark: T0 + 10, fileDropAfterKey: "drops/2025-03-02.csv" });
    await vendors.advanceWatermark("marks", { pullWatermark: T0 + 5, fileDropAfterKey: "drops/2025-03-01.csv" });
    expect(await vendors.getVendorState("marks")).toMatchObject({
      pullWatermark: T0 + 10,
      fileDropAfterKey: "drops/2025-03-02.csv",
    });
    await vendors.advanceWatermark("marks", { fileDropAfterKey: "drops/2025-03-03.csv" });
    expect(await vendors.getVendorState("marks")).toMatchObject({
      pullWatermark: T0 + 10,
      fileDropAfterKey: "drops/2025-03-03.csv",
    });
  });
});
