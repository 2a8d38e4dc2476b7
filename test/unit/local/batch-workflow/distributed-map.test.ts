import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type AslState, BATCH_SYNC_ASL } from "../../../../local/batch-workflow/definition.ts";
import {
  ExceedToleratedFailureThresholdError,
  type MapRunParameters,
  runDistributedMap,
} from "../../../../local/batch-workflow/distributed-map.ts";
import { FileObjectStore } from "../../../../local/file-object-store.ts";
import { tempDir } from "../../../support/cli.ts";

/** The plan Map exactly as the definition file has it. */
const planMap = (): AslState => JSON.parse(readFileSync(BATCH_SYNC_ASL, "utf8")).States.Plan;

async function itemsFile(count: number, item: (i: number) => unknown = (i) => ({ seq: i })) {
  const store = new FileObjectStore(tempDir("vendor-sync-map-"));
  await store.writeText(
    "items.jsonl",
    Array.from({ length: count }, (_, i) => `${JSON.stringify(item(i))}\n`).join(""),
  );
  return store;
}

const params = (overrides: Partial<MapRunParameters> = {}): MapRunParameters => ({
  ItemReader: { Bucket: "imports", Key: "items.jsonl" },
  BatchInput: { jobId: "J1" },
  MaxItemsPerBatch: 1000,
  MaxInputBytesPerBatch: 245_760,
  MaxConcurrency: 4,
  ToleratedFailurePercentage: 5,
  ResultWriter: { Bucket: "imports", Prefix: "results/v/J1/map-runs" },
  ...overrides,
});

type Batch = { BatchInput: unknown; Items: { seq: number }[] };

describe("the sandbox's Distributed Map (ItemReader, ItemBatcher, MaxConcurrency, tolerance, ResultWriter)", () => {
  it("gives each child { BatchInput, Items } in reader order, batched by MaxItemsPerBatch", async () => {
    const store = await itemsFile(7);
    const seen: Batch[] = [];
    await runDistributedMap("Plan", await planMap(), params({ MaxItemsPerBatch: 3 }), {
      bucket: () => store,
      runChild: async (input) => {
        seen.push(input as Batch);
        return { ok: true };
      },
    });
    expect(seen.map((batch) => batch.Items.map((item) => item.seq))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(seen.every((batch) => (batch.BatchInput as { jobId: string }).jobId === "J1")).toBe(true);
  });

  it("closes a batch before its items' JSON would pass MaxInputBytesPerBatch", async () => {
    const store = await itemsFile(5, (seq) => ({ seq, text: "x".repeat(80) }));
    const sizes: number[] = [];
    await runDistributedMap("Plan", await planMap(), params({ MaxInputBytesPerBatch: 250 }), {
      bucket: () => store,
      runChild: async (input) => sizes.push((input as Batch).Items.length),
    });
    expect(sizes).toEqual([2, 2, 1]);
  });

  it("runs at most MaxConcurrency children at once", async () => {
    const store = await itemsFile(40);
    let inFlight = 0;
    let most = 0;
    await runDistributedMap("Plan", await planMap(), params({ MaxItemsPerBatch: 1, MaxConcurrency: 3 }), {
      bucket: () => store,
      runChild: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
      },
    });
    expect(most).toBe(3);
  });

  it("fails the Map Run with States.ExceedToleratedFailureThreshold when failed items pass the percentage", async () => {
    const store = await itemsFile(100);
    const map = await planMap();
    const failing = (failedBatches: number) =>
      runDistributedMap("Apply", map, params({ MaxItemsPerBatch: 10, ToleratedFailurePercentage: 10 }), {
        bucket: () => store,
        runChild: async (input) => {
          const first = (input as Batch).Items[0]?.seq ?? 0;
          if (first < failedBatches * 10) throw new Error("child failed");
        },
      });
    // One batch of ten failed: 10 % is within the tolerance; two batches are not.
    await expect(failing(1)).resolves.toBeDefined();
    const error = await failing(2).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExceedToleratedFailureThresholdError);
    expect(error).toMatchObject({
      name: "States.ExceedToleratedFailureThreshold",
      failedItems: 20,
      totalItems: 100,
      message: "Apply: 20 of 100 items failed, over the tolerated 10 % (last error: child failed)",
    });
  });

  it("fails on the first failed item without a tolerance (Step Functions' default is 0)", async () => {
    const store = await itemsFile(3);
    const run = runDistributedMap(
      "Plan",
      await planMap(),
      params({ ToleratedFailurePercentage: undefined, MaxItemsPerBatch: 1 }),
      {
        bucket: () => store,
        runChild: async (input) => {
          if ((input as Batch).Items[0]?.seq === 2) throw new Error("no");
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: "States.ExceedToleratedFailureThreshold", failedItems: 1 });
  });

  it("fails past a ToleratedFailureCount", async () => {
    const store = await itemsFile(10);
    const run = (tolerated: number) =>
      runDistributedMap(
        "Plan",
        { ...planMap(), ToleratedFailurePercentagePath: undefined },
        params({ ToleratedFailurePercentage: undefined, ToleratedFailureCount: tolerated, MaxItemsPerBatch: 1 }),
        {
          bucket: () => store,
          runChild: async (input) => {
            if (((input as Batch).Items[0]?.seq ?? 0) < 2) throw new Error("no");
          },
        },
      );
    await expect(run(2)).resolves.toBeDefined();
    await expect(run(1)).rejects.toMatchObject({
      message: "Plan: 2 of 10 items failed, over the tolerated 1 failed items (last error: no)",
    });
  });

  it("fails with States.ItemReaderFailed when the ItemReader's object is missing", async () => {
    const store = await itemsFile(0);
    const run = runDistributedMap("Plan", await planMap(), params({ ItemReader: { Bucket: "imports", Key: "none" } }), {
      bucket: () => store,
      runChild: async () => undefined,
    });
    await expect(run).rejects.toMatchObject({ name: "States.ItemReaderFailed" });
  });

  it("writes the Map Run's results where the ResultWriter says, in Step Functions' manifest format", async () => {
    const store = await itemsFile(5);
    const within = params({ MaxItemsPerBatch: 2, ToleratedFailurePercentage: 50 });
    const result = (await runDistributedMap("Plan", await planMap(), within, {
      bucket: () => store,
      runChild: async (input) => {
        const first = (input as Batch).Items[0]?.seq;
        if (first === 2) throw Object.assign(new Error("throttled"), { name: "TransientError" });
        return { first };
      },
    })) as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };

    // The state's result and the manifest: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
    expect(result.MapRunArn).toMatch(/^arn:aws:states:[^:]+:\d{12}:mapRun:[^/]+\/Plan:[0-9a-f-]{36}$/);
    const mapRunId = result.MapRunArn.split(":").at(-1);
    expect(result.ResultWriterDetails).toEqual({
      Bucket: "imports",
      Key: `results/v/J1/map-runs/${mapRunId}/manifest.json`,
    });
    const manifest = JSON.parse((await store.readText(result.ResultWriterDetails.Key)) ?? "null");
    expect(manifest).toEqual({
      DestinationBucket: "imports",
      MapRunArn: result.MapRunArn,
      ResultFiles: {
        FAILED: [{ Key: `results/v/J1/map-runs/${mapRunId}/FAILED_0.json`, Size: expect.any(Number) }],
        PENDING: [],
        SUCCEEDED: [{ Key: `results/v/J1/map-runs/${mapRunId}/SUCCEEDED_0.json`, Size: expect.any(Number) }],
      },
    });
    for (const file of [...manifest.ResultFiles.FAILED, ...manifest.ResultFiles.SUCCEEDED]) {
      expect(Buffer.byteLength((await store.readText(file.Key)) ?? "")).toBe(file.Size);
    }
    // WriterConfig: JSONL, COMPACT — a succeeded child's output per line; a failed child keeps its details.
    const lines = async (key: string) =>
      ((await store.readText(key)) ?? "")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
    expect(await lines(manifest.ResultFiles.SUCCEEDED[0].Key)).toEqual([{ first: 0 }, { first: 4 }]);
    expect(await lines(manifest.ResultFiles.FAILED[0].Key)).toEqual([
      expect.objectContaining({
        Status: "FAILED",
        Error: "TransientError",
        Cause: "throttled",
        Input: JSON.stringify({ BatchInput: { jobId: "J1" }, Items: [{ seq: 2 }, { seq: 3 }] }),
        ExecutionArn: expect.stringMatching(/^arn:aws:states:[^:]+:\d{12}:execution:/),
      }),
    ]);
  });

  it("returns the children's outputs in order when there is no ResultWriter", async () => {
    const store = await itemsFile(3);
    const map = { ...(await planMap()), ResultWriter: undefined };
    const output = await runDistributedMap("Plan", map, params({ MaxItemsPerBatch: 1, ResultWriter: undefined }), {
      bucket: () => store,
      runChild: async (input) => (input as Batch).Items[0]?.seq,
    });
    expect(output).toEqual([0, 1, 2]);
  });
});
