/**
 * The sandbox's DynamoDB client: a `DynamoDBClient` whose `send` hands each command to the embedded
 * store (dynalite's own request validation and actions, on this thread or the store's own: see
 * embedded-dynamodb-host.ts) instead of serialising, signing and sending it over loopback HTTP to
 * dynalite's server in the same process. The store and
 * every answer are dynalite's, byte for byte what its HTTP server would send (the request and answer
 * pass through JSON as on the wire); only the transport is gone — about a sixth of the CPU per call
 * (no SDK middleware, SigV4, sockets or HTTP parsing).
 *
 * What differs from the SDK over HTTP (proven equal for every command the adapters send by
 * test/integration/embedded-dynamodb-client.test.ts): the SDK's retries and checksums are not run (no
 * network to retry), and middleware added to `middlewareStack` is not run — {@link
 * EmbeddedDynamoClient.intercept} is its stand-in (`countCommands`, the benchmarks' capacity meter).
 */
import * as dynamodb from "@aws-sdk/client-dynamodb";
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";

import type { EmbeddedStore } from "./embedded-dynamodb-host.ts";

/** The commands the embedded client carries: every one the adapters, the sandbox and the tests send. */
const OPERATIONS = new Map<unknown, string>([
  [BatchGetItemCommand, "BatchGetItem"],
  [BatchWriteItemCommand, "BatchWriteItem"],
  [CreateTableCommand, "CreateTable"],
  [DeleteItemCommand, "DeleteItem"],
  [DeleteTableCommand, "DeleteTable"],
  [DescribeTableCommand, "DescribeTable"],
  [GetItemCommand, "GetItem"],
  [ListTablesCommand, "ListTables"],
  [PutItemCommand, "PutItem"],
  [QueryCommand, "Query"],
  [ScanCommand, "Scan"],
  [UpdateItemCommand, "UpdateItem"],
]);

/** A command on its way through {@link EmbeddedDynamoClient.intercept}ors. */
export interface EmbeddedCall {
  /** `PutItemCommand`, `QueryCommand`… (the SDK's `context.commandName`). */
  readonly commandName: string;
  /** The command's input; an interceptor may change it before calling `next`. */
  readonly input: Record<string, unknown>;
}

/** Sees (and may change) each call; `next` runs the rest and the store, resolving with the output. */
export type EmbeddedInterceptor = (
  call: EmbeddedCall,
  next: () => Promise<Record<string, unknown>>,
) => Promise<Record<string, unknown>>;

/** The wire form of a value: blobs as base64, as the SDK's JSON protocol sends them. */
function toWire(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array ? Buffer.from(original).toString("base64") : value;
}

/** Attributes the SDK reads as timestamps (epoch seconds on the wire) in the answers the sandbox gets. */
const TIMESTAMPS = new Set(["CreationDateTime", "LastIncreaseDateTime", "LastDecreaseDateTime"]);

/** The SDK's form of an answer's value: blobs (`B`, `BS`) as bytes, timestamps as dates. */
function fromWire(key: string, value: unknown): unknown {
  if (key === "B" && typeof value === "string") return new Uint8Array(Buffer.from(value, "base64"));
  if (key === "BS" && Array.isArray(value)) {
    return value.map((v) => (typeof v === "string" ? new Uint8Array(Buffer.from(v, "base64")) : v));
  }
  if (TIMESTAMPS.has(key) && typeof value === "number") return new Date(value * 1000);
  return value;
}

/** The SDK's exception for an error answer: its modelled class when it has one (`instanceof` works). */
function toException(status: number, body: { __type?: string; message?: string; Message?: string }): Error {
  const name = String(body.__type ?? "UnknownError")
    .split("#")
    .pop() as string;
  const message = body.message ?? body.Message ?? name;
  const metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
  const Modelled = (dynamodb as unknown as Record<string, unknown>)[name];
  if (
    typeof Modelled === "function" &&
    (Modelled as { prototype: unknown }).prototype instanceof DynamoDBServiceException
  ) {
    const Exception = Modelled as new (options: { message: string; $metadata: typeof metadata }) => Error;
    return new Exception({ message, $metadata: metadata });
  }
  return new DynamoDBServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    message,
    $metadata: metadata,
  });
}

/**
 * A `DynamoDBClient` over an embedded dynalite store, without HTTP (see the module comment). Each
 * instance is a separate client (as a second process's would be) on the same store.
 */
export class EmbeddedDynamoClient extends DynamoDBClient {
  readonly store: EmbeddedStore;
  readonly #interceptors: EmbeddedInterceptor[] = [];

  constructor(store: EmbeddedStore) {
    super({
      region: "local",
      endpoint: "http://embedded-dynamodb.invalid",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    this.store = store;
  }

  /** Adds an interceptor (outermost first), the stand-in for an `initialize`-step middleware. */
  intercept(interceptor: EmbeddedInterceptor): void {
    this.#interceptors.push(interceptor);
  }

  /**
   * Runs the command on the store. Promise form only (the callback forms are not used here).
   * @throws the SDK exception of the error dynalite answered (`ConditionalCheckFailedException`…), or
   *   an Error naming a command the embedded client does not carry.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the override must accept every overload of DynamoDBClient.send.
  override send(command: any): any {
    const operation = OPERATIONS.get(command?.constructor);
    if (!operation) {
      return Promise.reject(new Error(`the embedded DynamoDB client does not carry ${command?.constructor?.name}`));
    }
    const call: EmbeddedCall = { commandName: `${operation}Command`, input: { ...command.input } };
    const run = (index: number): Promise<Record<string, unknown>> => {
      const interceptor = this.#interceptors[index];
      return interceptor ? interceptor(call, () => run(index + 1)) : this.#dispatch(operation, call.input);
    };
    return run(0);
  }

  async #dispatch(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { status, body } = await this.store.request(operation, JSON.stringify(input, toWire));
    const output = JSON.parse(body, fromWire) as Record<string, unknown>;
    if (status !== 200) throw toException(status, output);
    return { ...output, $metadata: { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 } };
  }
}

/**
 * Puts an interceptor on any DynamoDB client: an `initialize`-step middleware on an SDK client, an
 * {@link EmbeddedDynamoClient.intercept interceptor} on the embedded one, so counting and metering
 * code works on both.
 */
export function interceptCommands(client: DynamoDBClient, interceptor: EmbeddedInterceptor, name: string): void {
  if (client instanceof EmbeddedDynamoClient) {
    client.intercept(interceptor);
    return;
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      let result: Awaited<ReturnType<typeof next>> | undefined;
      const call = {
        commandName: String(context.commandName ?? "unknown"),
        input: args.input as Record<string, unknown>,
      };
      const output = await interceptor(call, async () => {
        result = await next(args);
        return result.output as unknown as Record<string, unknown>;
      });
      return {
        ...(result as Awaited<ReturnType<typeof next>>),
        output: output as unknown as dynamodb.ServiceOutputTypes,
      };
    },
    { step: "initialize", name },
  );
}
