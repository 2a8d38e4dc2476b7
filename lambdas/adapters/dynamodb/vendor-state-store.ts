import { ConcurrentUpdateError } from "../../core/errors.ts";
import type { VendorState } from "../../core/jobs/job.ts";
import type { VendorStateStore } from "../../core/jobs/ports.ts";
import { SyncTable, type SyncTableOptions, stripKeys } from "./sync-table.ts";
import { syncKeys } from "./table-design.ts";

/**
 * Vendor state in the sync table: one item per vendor (`VENDOR#<id>` / `STATE`) with its
 * single-running-job lock, pull watermark, file-drop position and freshness. Every change is a
 * conditional write, so times and positions move forward only and the lock has one holder.
 */
export class DynamoVendorStateStore implements VendorStateStore {
  private readonly table: SyncTable;

  constructor(options: SyncTableOptions) {
    this.table = new SyncTable(options);
  }

  async getVendorState(vendorId: string): Promise<VendorState> {
    const item = await this.table.get(syncKeys.vendorState(vendorId));
    return item ? stripKeys<VendorState>(item) : { vendorId };
  }

  /** Records a finished sync: each freshness time moves forward only (never back to an older time). */
  async recordSync(vendorId: string, sync: { finishedAt: number; newestSourceTs?: number }): Promise<void> {
    await this.#moveForward(
      vendorId,
      { lastSuccessAt: sync.finishedAt, newestSourceTs: sync.newestSourceTs },
      "vendor state",
    );
  }

  /**
   * Takes the vendor's single-running-job lock (`runningJobId` on the vendor state item) with a
   * conditional write.
   */
  async acquireVendorLock(
    vendorId: string,
    jobId: string,
    at: number,
  ): Promise<{ acquired: true } | { acquired: false; holder: string }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = await this.table.updateIf(
        syncKeys.vendorState(vendorId),
        { vendorId, runningJobId: jobId, runningSince: at },
        {
          expression: "attribute_not_exists(#job)",
          names: { "#job": "runningJobId" },
          values: {},
          what: "vendor lock",
        },
      );
      if (taken) return { acquired: true };
      const holder = (await this.getVendorState(vendorId)).runningJobId;
      if (holder) return { acquired: false, holder };
      // Released between our write and our read: try again.
    }
    throw new ConcurrentUpdateError(`the lock of vendor ${vendorId} keeps changing hands`);
  }

  async releaseVendorLock(vendorId: string, jobId: string): Promise<void> {
    await this.table.updateIf(
      syncKeys.vendorState(vendorId),
      {},
      {
        expression: "#job = :job",
        names: { "#job": "runningJobId" },
        values: { ":job": { S: jobId } },
        remove: ["runningJobId", "runningSince"],
        what: "vendor unlock",
      },
    );
  }

  /** Moves the pull watermark (epoch ms) or the file-drop position (an object key) forward only. */
  async advanceWatermark(
    vendorId: string,
    watermark: { pullWatermark?: number; fileDropAfterKey?: string },
  ): Promise<void> {
    await this.#moveForward(vendorId, watermark, "watermark");
  }

  /**
   * Sets each defined field only where it moves forward (absent, or below the new value; numbers by
   * value, keys lexically): one conditional UpdateItem per field, so "forward only" needs no read.
   */
  async #moveForward(
    vendorId: string,
    fields: Readonly<Record<string, number | string | undefined>>,
    what: string,
  ): Promise<void> {
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      await this.table.updateIf(
        syncKeys.vendorState(vendorId),
        { vendorId, [field]: value },
        {
          expression: "attribute_not_exists(#field) OR #field < :value",
          names: { "#field": field },
          values: { ":value": typeof value === "number" ? { N: String(value) } : { S: value } },
          what,
        },
      );
    }
  }
}
