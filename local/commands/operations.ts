import { ValidationError } from "../../lambdas/core/errors.ts";
import type { DeadLetter, QueueDepth, RedriveResult } from "../../lambdas/core/operations/dead-letters.ts";
import {
  type Resolution,
  type ResolveConflictResult,
  resolveConflict,
} from "../../lambdas/core/operations/resolve-conflict.ts";
import { resumeVendor } from "../../lambdas/core/operations/vendor-pause.ts";
import type { ConflictItem } from "../../lambdas/core/ports.ts";
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

/** Depth of every queue and its dead-letter queue. */
export function dlqList(sandbox: Sandbox): Promise<QueueDepth[]> {
  return sandbox.deadLetters.depths();
}

/** Dead letters of a queue without consuming them; one when `messageId` is given. */
export async function dlqShow(sandbox: Sandbox, queueName: string, messageId?: string): Promise<DeadLetter[]> {
  const dead = await sandbox.deadLetters.peek(queueName, 10_000);
  if (!messageId) return dead;
  const one = dead.filter((m) => m.messageId === messageId);
  if (one.length === 0)
    throw new ValidationError(`no message ${messageId} in ${queueName.replace(/-dlq$/, "")}-dlq`, {
      field: "messageId",
    });
  return one;
}

/**
 * Moves a queue's dead letters back to it, at most `ratePerSecond`; they are processed again through
 * the idempotent path (a redriven message changes data at most once).
 */
export function dlqRedrive(
  sandbox: Sandbox,
  queueName: string,
  options: { ratePerSecond?: number } = {},
): Promise<RedriveResult> {
  return sandbox.deadLetters.redrive(queueName, options);
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
