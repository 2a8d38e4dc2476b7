import { DynamoPlatformKeyIndex } from "../../lambdas/adapters/dynamodb/platform-key-index.ts";
import {
  type AdminCommand,
  type AdminOperationsDeps,
  runAdminCommand,
} from "../../lambdas/admin-operations/admin-operations.ts";
import { ValidationError } from "../../lambdas/core/errors.ts";
import type { DeadLetter, QueueDepth, RedriveResult } from "../../lambdas/core/operations/dead-letters.ts";
import type { Resolution, ResolveConflictResult } from "../../lambdas/core/operations/resolve-conflict.ts";
import type { ConflictItem } from "../../lambdas/core/ports.ts";
import type { Sandbox } from "../sandbox.ts";

/**
 * The admin-operations function's ports, on the sandbox: the same `runAdminCommand` the Lambda runs,
 * with the embedded store, the sandbox's queues and its pause control.
 */
export function sandboxAdminDeps(sandbox: Sandbox): AdminOperationsDeps {
  const keyIndex = new DynamoPlatformKeyIndex({ client: sandbox.dynamo.client, tableName: sandbox.dynamo.tables.sync });
  return {
    vendors: sandbox.registry,
    records: sandbox.records,
    interpreter: sandbox.interpreter,
    conflicts: {
      getConflict: (id) => sandbox.conflictReview.getConflict(id),
      claimConflict: (id, by, now) => sandbox.conflictReview.claimConflict(id, by, now),
      releaseConflict: (id, by, note) => sandbox.conflictReview.releaseConflict(id, by, note),
      finishConflict: (conflict, resolution) => sandbox.conflictReview.finishConflict(conflict, resolution),
      listConflicts: (vendorId, options) => sandbox.sync.listConflicts(vendorId, options),
    },
    deadLetters: sandbox.deadLetters,
    pause: sandbox.pause,
    resumeQueue: sandbox.realtimeQueue,
    archive: sandbox.archive,
    keyIndexFor: (vendorId) => keyIndex.forVendor(vendorId),
  };
}

/** Runs one admin command on the sandbox. */
export function runOnSandbox(sandbox: Sandbox, command: AdminCommand): Promise<unknown> {
  return runAdminCommand(sandboxAdminDeps(sandbox), command);
}

/** Conflicts of one vendor or of all, oldest first. */
export async function listConflicts(
  sandbox: Sandbox,
  options: { vendorId?: string; status?: ConflictItem["status"] },
): Promise<ConflictItem[]> {
  const result = (await runOnSandbox(sandbox, { action: "conflicts.list", ...options })) as {
    conflicts: ConflictItem[];
  };
  return result.conflicts;
}

/** @throws {ValidationError} for an unknown conflict id. */
export async function showConflict(sandbox: Sandbox, conflictId: string): Promise<ConflictItem> {
  return (await runOnSandbox(sandbox, { action: "conflicts.show", conflictId })) as ConflictItem;
}

/** Resolves a conflict with the sandbox's stores (see `resolveConflict`). */
export async function resolveConflictLocally(
  sandbox: Sandbox,
  request: { conflictId: string; resolution: Resolution; by: string },
): Promise<ResolveConflictResult> {
  const result = (await runOnSandbox(sandbox, { action: "conflicts.resolve", ...request })) as {
    conflict: ConflictItem;
    record: ResolveConflictResult["record"] | null;
    written: boolean;
  };
  return { conflict: result.conflict, record: result.record ?? undefined, written: result.written };
}

/** Depth of every queue and its dead-letter queue. */
export async function dlqList(sandbox: Sandbox): Promise<QueueDepth[]> {
  return ((await runOnSandbox(sandbox, { action: "dlq.list" })) as { queues: QueueDepth[] }).queues;
}

/** Dead letters of a queue without consuming them; one when `messageId` is given. */
export async function dlqShow(sandbox: Sandbox, queueName: string, messageId?: string): Promise<DeadLetter[]> {
  const dead = await sandbox.deadLetters.peek(queueName, 10_000);
  if (!messageId) return dead;
  const one = dead.filter((m) => m.messageId === messageId);
  if (one.length === 0) {
    throw new ValidationError(`no message ${messageId} in ${queueName.replace(/-dlq$/, "")}-dlq`, {
      field: "messageId",
    });
  }
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
): Promise<RedriveResult> {
  return (await runOnSandbox(sandbox, {
    action: "dlq.redrive",
    queue: queueName,
    ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
  })) as RedriveResult;
}

/** Pauses a vendor: webhooks still accepted and archived, its queue messages parked, schedules skipped. */
export async function pauseVendorLocally(
  sandbox: Sandbox,
  vendorId: string,
  by: string,
): Promise<{ vendorId: string; paused: true }> {
  return (await runOnSandbox(sandbox, { action: "vendor.pause", vendorId, by })) as { vendorId: string; paused: true };
}

/** Resumes a vendor and re-queues what was parked, in arrival order. */
export async function resumeVendorLocally(
  sandbox: Sandbox,
  vendorId: string,
  by: string,
): Promise<{ vendorId: string; paused: false; requeued: number }> {
  return (await runOnSandbox(sandbox, { action: "vendor.resume", vendorId, by })) as {
    vendorId: string;
    paused: false;
    requeued: number;
  };
}
