import { ValidationError } from "../../lambdas/core/errors.ts";
import {
  type Resolution,
  type ResolveConflictResult,
  resolveConflict,
} from "../../lambdas/core/operations/resolve-conflict.ts";
import { resumeVendor } from "../../lambdas/core/operations/vendor-pause.ts";
import type { ConflictItem } from "../../lambdas/core/ports.ts";
import type { LocalQueue, StoredMessage } from "../local-queue.ts";
import type { Sandbox } from "../sandbox.ts";

/** Conflicts of one vendor or of all, oldest first. */
export async function listConflicts(
  sandbox: Sandbox,
  options: { vendorId?: string; status?: "OPEN" | "RESOLVED"; limit?: number },
): Promise<ConflictItem[]> {
  const vendors = options.vendorId ? [sandbox.vendor(options.vendorId).id] : [...sandbox.vendors.keys()];
  const all: ConflictItem[] = [];
  for (const vendorId of vendors) {
    all.push(
      ...(await sandbox.sync.listConflicts(vendorId, {
        status: options.status ?? "OPEN",
        limit: options.limit ?? 100,
      })),
    );
  }
  return all.sort((a, b) => a.createdAt - b.createdAt);
}

/** @throws {ValidationError} for an unknown conflict id. */
export async function showConflict(sandbox: Sandbox, conflictId: string): Promise<ConflictItem> {
  const conflict = await sandbox.sync.getConflict(conflictId);
  if (!conflict) throw new ValidationError(`no conflict ${conflictId}`, { field: "conflictId", value: conflictId });
  return conflict;
}

/** Resolves a conflict with the sandbox's stores (see `resolveConflict`). */
export function resolveConflictLocally(
  sandbox: Sandbox,
  request: { conflictId: string; resolution: Resolution; by: string },
): Promise<ResolveConflictResult> {
  return resolveConflict(
    {
      conflicts: sandbox.conflictReview,
      records: sandbox.records,
      vendor: sandbox.vendor,
      onWritten: sandbox.onWritten,
    },
    request,
  );
}

/** One queue's depth, as `dlq list` shows it. */
export interface QueueDepth {
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** Messages waiting or in flight in the source queue. */
  readonly messages: number;
  /** Messages in its dead-letter queue. */
  readonly deadLetters: number;
  /** Epoch ms the oldest dead letter was first sent (SQS keeps the original enqueue time). */
  readonly oldestDeadLetterSentAt?: number;
}

function queues(sandbox: Sandbox): Map<string, LocalQueue> {
  return new Map([[sandbox.realtimeQueue.name, sandbox.realtimeQueue]]);
}

/** @throws {ValidationError} naming the queues there are. */
export function queueNamed(sandbox: Sandbox, name: string): LocalQueue {
  const queue = queues(sandbox).get(name.replace(/-dlq$/, ""));
  if (!queue)
    throw new ValidationError(`no queue ${JSON.stringify(name)} (queues: ${[...queues(sandbox).keys()].join(", ")})`, {
      field: "queue",
    });
  return queue;
}

/** Depth of every queue and its dead-letter queue. */
export async function dlqList(sandbox: Sandbox): Promise<QueueDepth[]> {
  const out: QueueDepth[] = [];
  for (const queue of queues(sandbox).values()) {
    const dead = await queue.peek(queue.deadLetterName, 10_000);
    out.push({
      queue: queue.name,
      deadLetterQueue: queue.deadLetterName,
      messages: (await queue.peek(queue.name, 10_000)).length,
      deadLetters: dead.length,
      ...(dead.length > 0 ? { oldestDeadLetterSentAt: Math.min(...dead.map((m) => m.sentAt)) } : {}),
    });
  }
  return out;
}

/** Dead letters of a queue without consuming them; one when `messageId` is given. */
export async function dlqShow(sandbox: Sandbox, queueName: string, messageId?: string): Promise<StoredMessage[]> {
  const queue = queueNamed(sandbox, queueName);
  const dead = await queue.peek(queue.deadLetterName, 10_000);
  if (!messageId) return dead;
  const one = dead.filter((m) => m.messageId === messageId);
  if (one.length === 0)
    throw new ValidationError(`no message ${messageId} in ${queue.deadLetterName}`, { field: "messageId" });
  return one;
}

/**
 * Moves a queue's dead letters back to it, at most `ratePerSecond`; they are processed again through
 * the idempotent path (a redriven message changes data at most once).
 */
export async function dlqRedrive(
  sandbox: Sandbox,
  queueName: string,
  options: { ratePerSecond?: number } = {},
): Promise<{ queue: string; moved: number }> {
  const queue = queueNamed(sandbox, queueName);
  const moved = await queue.redrive({ ratePerSecond: options.ratePerSecond ?? 10 });
  return { queue: queue.name, moved };
}

/** Pauses a vendor: webhooks still accepted and archived, its queue messages parked, schedules skipped. */
export async function pauseVendorLocally(
  sandbox: Sandbox,
  vendorId: string,
  by: string,
): Promise<{ vendorId: string; paused: true }> {
  const vendor = sandbox.vendor(vendorId);
  await sandbox.pause.setPaused(vendor.id, true, by, Date.now());
  return { vendorId: vendor.id, paused: true };
}

/** Resumes a vendor and re-queues what was parked, in arrival order. */
export async function resumeVendorLocally(
  sandbox: Sandbox,
  vendorId: string,
  by: string,
): Promise<{ vendorId: string; paused: false; requeued: number }> {
  const vendor = sandbox.vendor(vendorId);
  const requeued = await resumeVendor({ control: sandbox.pause, queue: sandbox.realtimeQueue }, vendor.id, by);
  return { vendorId: vendor.id, paused: false, requeued };
}
