/**
 * How change notifications are grouped into SNS `PublishBatch` requests, and what SNS bills for
 * them: one place for the publisher (publish-changes) and the cost model (bench/cost).
 *
 * A request carries at most {@link MAX_BATCH_ENTRIES} messages whose bodies and attributes together
 * stay within {@link MAX_BATCH_BYTES}; SNS bills each request by the 64 KB chunk of its payload
 * ({@link BILLED_CHUNK_BYTES}), so ten small notifications cost one publish, not ten.
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-batch-api-actions.html
 * @see https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 * @see https://aws.amazon.com/sns/pricing/
 */

/** Messages per `PublishBatch` request (SNS's limit). */
export const MAX_BATCH_ENTRIES = 10;

/** Aggregate payload of one `PublishBatch` request, bytes (the topic's default `MaximumMessageSize`). */
export const MAX_BATCH_BYTES = 262_144;

/** Largest single SNS message, bytes: body plus message attributes (256 KB). */
export const MAX_MESSAGE_BYTES = 262_144;

/** SNS bills a request per 64 KB chunk of published data. */
export const BILLED_CHUNK_BYTES = 65_536;

/**
 * Groups messages, in their order, into `PublishBatch` requests: a request is closed when the next
 * message would make it hold more than {@link MAX_BATCH_ENTRIES} messages or more than
 * {@link MAX_BATCH_BYTES} bytes. A message larger than the limit on its own gets a request of its own
 * (SNS refuses it; the caller reports that message as failed).
 *
 * @param sizes - each message's bytes (body plus attribute names, types and values), UTF-8.
 * @returns `[start, end)` index ranges into `sizes`, in order, covering every message once.
 */
export function publishBatches(sizes: readonly number[]): [number, number][] {
  const batches: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] ?? 0;
    if (i > start && (i - start === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      batches.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < sizes.length) batches.push([start, sizes.length]);
  return batches;
}

/**
 * @param sizes - each message's bytes, in publishing order.
 * @returns the publishes SNS bills for these messages sent as {@link publishBatches} groups them:
 *   per request, one per started 64 KB of its payload.
 */
export function billedPublishes(sizes: readonly number[]): number {
  let billed = 0;
  for (const [start, end] of publishBatches(sizes)) {
    let bytes = 0;
    for (let i = start; i < end; i++) bytes += sizes[i] ?? 0;
    billed += Math.max(1, Math.ceil(bytes / BILLED_CHUNK_BYTES));
  }
  return billed;
}

/**
 * @returns the bytes SNS counts for one message: its body plus each string attribute's name, data
 *   type (`String`) and value, UTF-8.
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
export function messageBytes(body: string, attributes: Readonly<Record<string, string>>): number {
  let bytes = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name, "utf8") + "String".length + Buffer.byteLength(value, "utf8");
  }
  return bytes;
}
