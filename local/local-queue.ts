import { createHash, randomUUID } from "node:crypto";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { monotonicFactory } from "ulid";
import type { MessageControl, OutgoingMessage, QueueSender } from "../lambdas/core/ports.ts";
import { LOCAL_TABLES } from "./embedded-dynamodb.ts";
import { MAX_TIMER_MS, realTimers, type Timers } from "./timers.ts";

/** Message ids that sort in send order, even within one millisecond (SQS is best-effort FIFO; this keeps tests readable). */
const nextMessageId = monotonicFactory();

/** One stored message, as the DLQ workbench shows it. */
export interface StoredMessage {
  readonly queue: string;
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Epoch ms the message was first sent (kept across DLQ moves, as SQS keeps the enqueue time). */
  readonly sentAt: number;
  /** Epoch ms it becomes visible again. */
  readonly visibleAt: number;
  readonly receiveCount: number;
  readonly receiptHandle?: string;
  /** Why it is in a dead-letter queue. */
  readonly deadLetterReason?: string;
}

export interface LocalQueueOptions {
  readonly client: DynamoDBClient;
  /** Queue name; its dead-letter queue is `<name>-dlq`. */
  readonly name: string;
  /** Default visibility timeout, seconds. */
  readonly visibilityTimeoutSeconds: number;
  /** Receives after which SQS's redrive moves a message to the DLQ. */
  readonly maxReceiveCount: number;
  readonly now?: () => number;
}

/**
 * The sandbox's stand-in for an SQS queue with its dead-letter queue, persisted in the embedded store
 * (so messages, receive counts and the DLQ survive restarts): send, receive with a visibility timeout,
 * delete by receipt handle, ChangeMessageVisibility, redrive to the DLQ once a message has been
 * received more than `maxReceiveCount` times, and an explicit move to the DLQ by the consumer.
 *
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export class LocalQueue implements QueueSender, MessageControl {
  readonly name: string;
  readonly deadLetterName: string;
  readonly #options: LocalQueueOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();

  constructor(options: LocalQueueOptions) {
    this.#options = options;
    this.name = options.name;
    this.deadLetterName = `${options.name}-dlq`;
    this.#now = options.now ?? Date.now;
  }

  get visibilityTimeoutSeconds(): number {
    return this.#options.visibilityTimeoutSeconds;
  }

  async #put(message: StoredMessage): Promise<void> {
    await this.#options.client.send(
      new PutItemCommand({ TableName: LOCAL_TABLES.queues, Item: marshall(message, { removeUndefinedValues: true }) }),
    );
    if (message.queue === this.name) this.#changed();
  }

  /**
   * Calls `listener` whenever a message of this queue gets a new time to become visible: sent (with
   * or without a delay), redriven from the DLQ, or its visibility changed. What wakes its consumer.
   * @returns a function that removes the listener.
   */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /**
   * @returns ms until the next message of this queue becomes visible (0: one is visible now), or
   * `undefined` when the queue is empty. Messages in flight count: their visibility timeout expires.
   */
  async msUntilNextVisible(): Promise<number | undefined> {
    const messages = await this.peek(this.name, 1000);
    if (messages.length === 0) return undefined;
    return Math.max(0, Math.min(...messages.map((m) => m.visibleAt)) - this.#now());
  }

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const now = this.#now();
    const messageId = nextMessageId(now);
    await this.#put({
      queue: this.name,
      messageId,
      body: message.body,
      attributes: message.attributes ?? {},
      sentAt: now,
      visibleAt: now + (message.delaySeconds ?? 0) * 1000,
      receiveCount: 0,
    });
    return { messageId };
  }

  /** Lists a queue's messages (visible or not) without receiving them. */
  async peek(queue: string = this.name, limit = 100): Promise<StoredMessage[]> {
    const response = await this.#options.client.send(
      new QueryCommand({
        TableName: LOCAL_TABLES.queues,
        KeyConditionExpression: "#q = :q",
        ExpressionAttributeNames: { "#q": "queue" },
        ExpressionAttributeValues: { ":q": { S: queue } },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return (response.Items ?? []).map((item) => unmarshall(item) as StoredMessage);
  }

  /**
   * Receives up to `max` visible messages, hiding each for the visibility timeout. A message already
   * received `maxReceiveCount` times goes to the DLQ instead (SQS redrive).
   */
  async receive(max = 10): Promise<StoredMessage[]> {
    const now = this.#now();
    const candidates = (await this.peek(this.name, 1000)).filter((m) => m.visibleAt <= now);
    const received: StoredMessage[] = [];
    for (const message of candidates) {
      if (received.length >= max) break;
      if (message.receiveCount >= this.#options.maxReceiveCount) {
        await this.#moveToDeadLetter(
          message,
          `received ${message.receiveCount} times (maxReceiveCount ${this.#options.maxReceiveCount})`,
        );
        continue;
      }
      const receiptHandle = `${this.name}|${message.messageId}|${randomUUID()}`;
      try {
        await this.#options.client.send(
          new UpdateItemCommand({
            TableName: LOCAL_TABLES.queues,
            Key: marshall({ queue: this.name, messageId: message.messageId }),
            UpdateExpression: "SET visibleAt = :until, receiveCount = :count, receiptHandle = :handle",
            ConditionExpression: "visibleAt <= :now AND receiveCount = :seen",
            ExpressionAttributeValues: marshall({
              ":until": now + this.#options.visibilityTimeoutSeconds * 1000,
              ":count": message.receiveCount + 1,
              ":handle": receiptHandle,
              ":now": now,
              ":seen": message.receiveCount,
            }),
          }),
        );
        received.push({ ...message, receiveCount: message.receiveCount + 1, receiptHandle });
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return received;
  }

  #keyOf(receiptHandle: string): { queue: string; messageId: string } {
    const [queue, messageId] = receiptHandle.split("|");
    if (!queue || !messageId) throw new Error(`invalid receipt handle ${receiptHandle}`);
    return { queue, messageId };
  }

  /** Deletes a received message (processing succeeded). A stale receipt handle is ignored, as in SQS. */
  async delete(receiptHandle: string): Promise<void> {
    try {
      await this.#options.client.send(
        new DeleteItemCommand({
          TableName: LOCAL_TABLES.queues,
          Key: marshall(this.#keyOf(receiptHandle)),
          ConditionExpression: "receiptHandle = :handle",
          ExpressionAttributeValues: marshall({ ":handle": receiptHandle }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async changeVisibility(receiptHandle: string, seconds: number): Promise<void> {
    try {
      await this.#options.client.send(
        new UpdateItemCommand({
          TableName: LOCAL_TABLES.queues,
          Key: marshall(this.#keyOf(receiptHandle)),
          UpdateExpression: "SET visibleAt = :until",
          ConditionExpression: "receiptHandle = :handle",
          ExpressionAttributeValues: marshall({ ":until": this.#now() + seconds * 1000, ":handle": receiptHandle }),
        }),
      );
      this.#changed();
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async deadLetter(
    message: { receiptHandle: string; body: string; attributes: Readonly<Record<string, string>> },
    reason: string,
  ): Promise<void> {
    const stored = (await this.peek(this.name, 1000)).find((m) => m.receiptHandle === message.receiptHandle);
    if (!stored) return;
    await this.#moveToDeadLetter({ ...stored, attributes: { ...stored.attributes, ...message.attributes } }, reason);
  }

  async #moveToDeadLetter(message: StoredMessage, reason: string): Promise<void> {
    const { receiptHandle: _handle, ...rest } = message;
    await this.#put({ ...rest, queue: this.deadLetterName, deadLetterReason: reason, visibleAt: this.#now() });
    await this.#options.client.send(
      new DeleteItemCommand({
        TableName: LOCAL_TABLES.queues,
        Key: marshall({ queue: this.name, messageId: message.messageId }),
      }),
    );
  }

  /**
   * Makes every received, not yet deleted message visible again (receive counts kept). Called when
   * a process takes over the data directory: the consumer that received them is gone, and SQS would
   * return them after their visibility timeout anyway.
   * @returns how many messages were released.
   */
  async releaseInFlight(): Promise<number> {
    const now = this.#now();
    let released = 0;
    for (const message of await this.peek(this.name, 10_000)) {
      if (!message.receiptHandle || message.visibleAt <= now) continue;
      await this.changeVisibility(message.receiptHandle, 0);
      released++;
    }
    return released;
  }

  /**
   * Moves dead-lettered messages back to this queue (receive count reset), at most `ratePerSecond`.
   * @returns how many were moved.
   */
  async redrive(
    options: { ratePerSecond?: number; limit?: number; sleep?: (ms: number) => Promise<void> } = {},
  ): Promise<number> {
    const rate = options.ratePerSecond ?? 10;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const messages = await this.peek(this.deadLetterName, options.limit ?? 1000);
    let moved = 0;
    for (const message of messages) {
      const { deadLetterReason: _reason, receiptHandle: _handle, ...rest } = message;
      await this.#put({ ...rest, queue: this.name, receiveCount: 0, visibleAt: this.#now() });
      await this.#options.client.send(
        new DeleteItemCommand({
          TableName: LOCAL_TABLES.queues,
          Key: marshall({ queue: this.deadLetterName, messageId: message.messageId }),
        }),
      );
      moved++;
      if (moved % rate === 0) await sleep(1000);
    }
    return moved;
  }
}

/** @returns an SQS event holding received messages, as Lambda's event source mapping delivers them. */
export function toSqsEvent(queue: LocalQueue, messages: readonly StoredMessage[]): SQSEvent {
  return {
    Records: messages.map(
      (message): SQSRecord => ({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle ?? "",
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          SenderId: "local",
          ApproximateFirstReceiveTimestamp: String(message.sentAt),
        },
        messageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([name, value]) => [name, { dataType: "String", stringValue: value }]),
        ),
        md5OfBody: createHash("md5").update(message.body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: `arn:aws:sqs:local:000000000000:${queue.name}`,
        awsRegion: "local",
      }),
    ),
  };
}

/**
 * Drives a consumer from a local queue the way Lambda's SQS event source does: batches of up to
 * `batchSize`, successful messages deleted, `batchItemFailures` left to reappear after their
 * visibility. Once started it does not poll: it drains the queue when a message is sent or its
 * visibility changes, and otherwise sleeps until the next message becomes visible (a delay or a
 * visibility timeout expiring: a message whose consumer died is redelivered then, after a restart too).
 */
export class LocalQueueDriver {
  readonly #queue: LocalQueue;
  readonly #handler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
  readonly #batchSize: number;
  readonly #timers: Timers;
  #started = false;
  #unsubscribe: (() => void) | undefined;
  #timer: unknown;
  #running: Promise<void> | undefined;
  /** A change arrived while draining: drain again before sleeping. */
  #again = false;

  constructor(
    queue: LocalQueue,
    handler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
    options: { batchSize?: number; timers?: Timers } = {},
  ) {
    this.#queue = queue;
    this.#handler = handler;
    this.#batchSize = options.batchSize ?? 10;
    this.#timers = options.timers ?? realTimers;
  }

  /** Receives and processes one batch. @returns how many messages were received. */
  async pollOnce(): Promise<number> {
    const messages = await this.#queue.receive(this.#batchSize);
    if (messages.length === 0) return 0;
    const response = await this.#handler(toSqsEvent(this.#queue, messages));
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    for (const message of messages) {
      if (!failed.has(message.messageId) && message.receiptHandle) await this.#queue.delete(message.receiptHandle);
    }
    return messages.length;
  }

  /** Processes batches until the queue has no visible message. */
  async drain(): Promise<void> {
    while ((await this.pollOnce()) > 0) {
      // keep going
    }
  }

  /** Consumes the queue until stopped: what is visible now, then each message as it becomes visible. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = this.#queue.onChange(() => this.#wake());
    this.#wake();
  }

  #wake(): void {
    if (!this.#started) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#disarm();
    this.#running = this.#consume();
  }

  async #consume(): Promise<void> {
    let wait: number | undefined;
    try {
      do {
        this.#again = false;
        await this.drain();
      } while (this.#again && this.#started);
      wait = await this.#queue.msUntilNextVisible();
    } catch (error) {
      process.stderr.write(`queue ${this.#queue.name}: ${String(error)}\n`);
      // The store failed: look again in a second rather than never.
      wait = 1000;
    }
    // Decided synchronously from here: a change now either set #again above or finds #running unset.
    this.#running = undefined;
    if (!this.#started) return;
    if (this.#again) {
      this.#wake();
      return;
    }
    if (wait !== undefined) this.#timer = this.#timers.set(() => this.#wake(), Math.min(wait, MAX_TIMER_MS));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves once nothing is in progress (the queue drained, the next wake-up armed or none needed). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops consuming; resolves once the batch in progress is done. */
  async stop(): Promise<void> {
    this.#started = false;
    this.#unsubscribe?.();
    this.#disarm();
    await this.#running;
  }
}
