import type { QueueSender } from "../ports.ts";

/** A queue message held back while its vendor is paused. */
export interface ParkedMessage {
  readonly vendorId: string;
  /** Sort key: receive time then event id, so resume re-queues in arrival order. */
  readonly parkedKey: string;
  /** The queue message body, exactly as it would have been sent. */
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Epoch ms. */
  readonly parkedAt: number;
}

/**
 * Pausing a vendor: its webhooks are still accepted and archived, its schedules skip, and its
 * queue messages are parked outside the queue — holding them in SQS would burn their receive count
 * into the dead-letter queue.
 */
export interface VendorPauseControl {
  isPaused(vendorId: string): Promise<boolean>;
  setPaused(vendorId: string, paused: boolean, by: string, now: number): Promise<void>;
  park(message: ParkedMessage): Promise<void>;
  /** Parked messages in arrival order, at most `limit`. */
  listParked(vendorId: string, limit?: number): Promise<ParkedMessage[]>;
  removeParked(vendorId: string, parkedKey: string): Promise<void>;
}

/** @returns the parking key of a message: receive time (ms, zero-padded) then event id. */
export function parkedKeyFor(receivedAt: number, eventId: string): string {
  return `${String(receivedAt).padStart(13, "0")}#${eventId}`;
}

/**
 * Resumes a vendor: unpauses it, then re-queues every parked message in arrival order and removes it.
 * Safe to run again after a crash: a message queued twice is applied once (the write path is
 * idempotent), and the conflict rules make the order irrelevant.
 *
 * @returns how many parked messages were re-queued.
 */
export async function resumeVendor(
  deps: { control: VendorPauseControl; queue: QueueSender; now?: () => number },
  vendorId: string,
  by: string,
): Promise<number> {
  await deps.control.setPaused(vendorId, false, by, (deps.now ?? Date.now)());
  let requeued = 0;
  for (;;) {
    const parked = await deps.control.listParked(vendorId, 100);
    if (parked.length === 0) return requeued;
    for (const message of parked) {
      await deps.queue.send({ body: message.body, attributes: { ...message.attributes, resumed: "true" } });
      await deps.control.removeParked(vendorId, message.parkedKey);
      requeued++;
    }
  }
}
