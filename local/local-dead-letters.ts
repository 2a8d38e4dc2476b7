import { ValidationError } from "../lambdas/core/errors.ts";
import type {
  DeadLetter,
  DeadLetterWorkbench,
  QueueDepth,
  RedriveResult,
} from "../lambdas/core/operations/dead-letters.ts";
import type { LocalQueue } from "./local-queue.ts";

/** {@link DeadLetterWorkbench} on the sandbox's queues: a true peek, and a redrive that moves at once. */
export class LocalDeadLetterWorkbench implements DeadLetterWorkbench {
  readonly #queues: ReadonlyMap<string, LocalQueue>;

  constructor(queues: readonly LocalQueue[]) {
    this.#queues = new Map(queues.map((queue) => [queue.name, queue]));
  }

  /** @throws {ValidationError} naming the queues there are. */
  queue(name: string): LocalQueue {
    const queue = this.#queues.get(name.replace(/-dlq$/, ""));
    if (!queue)
      throw new ValidationError(`no queue ${JSON.stringify(name)} (queues: ${[...this.#queues.keys()].join(", ")})`, {
        field: "queue",
      });
    return queue;
  }

  async depths(): Promise<QueueDepth[]> {
    const out: QueueDepth[] = [];
    for (const queue of this.#queues.values()) {
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

  async peek(name: string, limit = 100): Promise<DeadLetter[]> {
    const queue = this.queue(name);
    return (await queue.peek(queue.deadLetterName, limit)).map((m) => ({
      messageId: m.messageId,
      body: m.body,
      attributes: m.attributes,
      receiveCount: m.receiveCount,
      sentAt: m.sentAt,
      ...(m.deadLetterReason ? { deadLetterReason: m.deadLetterReason } : {}),
    }));
  }

  async redrive(name: string, options: { ratePerSecond?: number } = {}): Promise<RedriveResult> {
    const queue = this.queue(name);
    const moved = await queue.redrive({ ratePerSecond: options.ratePerSecond ?? 10 });
    return { queue: queue.name, moved };
  }
}
