/** One queue's depth, as `dlq list` and `GET /admin/dlq` show it. */
export interface QueueDepth {
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** Messages waiting or in flight in the source queue (approximate on SQS). */
  readonly messages: number;
  /** Messages in its dead-letter queue (approximate on SQS). */
  readonly deadLetters: number;
  /** Epoch ms the oldest dead letter was first sent, when known (SQS keeps the original enqueue time). */
  readonly oldestDeadLetterSentAt?: number;
}

/** A dead-lettered message as an operator inspects it. */
export interface DeadLetter {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Deliveries before it was dead-lettered. */
  readonly receiveCount: number;
  /** Epoch ms it was first sent. */
  readonly sentAt: number;
  /** The last error, when the consumer moved it with a reason. */
  readonly deadLetterReason?: string;
}

/** What a redrive started. */
export interface RedriveResult {
  readonly queue: string;
  /** Messages moved (known at once in the sandbox). */
  readonly moved?: number;
  /** The SQS message-move task, when the move runs asynchronously on AWS. */
  readonly taskHandle?: string;
}

/**
 * The DLQ workbench (docs/architecture.md, "Errors and retries"): depths per queue, dead letters inspected without being processed,
 * and a rate-capped redrive back to the source queue (explicit destination: messages the consumer
 * moved itself have no SQS-recorded source). A redriven message goes through the idempotent path, so
 * it changes data at most once.
 */
export interface DeadLetterWorkbench {
  depths(): Promise<QueueDepth[]>;
  /** @throws {ValidationError} for an unknown queue name. */
  peek(queue: string, limit?: number): Promise<DeadLetter[]>;
  /** @param options.ratePerSecond - most messages moved per second. @default 10 */
  redrive(queue: string, options?: { ratePerSecond?: number }): Promise<RedriveResult>;
}
