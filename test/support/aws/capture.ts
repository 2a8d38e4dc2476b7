/**
 * Records every AWS SDK call a function makes, at the SDK's own seams, with the function it was made
 * for: `Client.send` notes the command (all middleware then runs: serialization, endpoint rules,
 * signing, retries), and the transport (`NodeHttpHandler.handle`, what every client sends through)
 * answers the signed HTTP request — DynamoDB from dynalite, the other services from `fake-services.ts`.
 * Unlike aws-sdk-client-mock, nothing of the SDK is bypassed. A call is attributed to the function
 * whose invocation it runs in (AsyncLocalStorage), so shared adapters are told apart.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** One SDK command as a function sent it. */
export interface RecordedCall {
  /** The function (its logical id in the template) the call was made for. */
  readonly function: string;
  /** The client's service id (`DynamoDB`, `S3`, `SQS`, `SNS`, `SFN`, `Secrets Manager`). */
  readonly service: string;
  /** `GetItemCommand`, `PutObjectCommand`, … */
  readonly command: string;
  readonly input: Record<string, unknown>;
  /** The client's region (the function's `AWS_REGION`). */
  readonly region: string;
}

/** A signed request as the transport gets it (`@smithy/protocol-http`'s HttpRequest). */
export interface SignedRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  method: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** What the transport answers (`@smithy/protocol-http`'s HttpResponse shape). */
export interface TransportResponse {
  readonly response: { statusCode: number; headers: Record<string, string>; body: unknown };
}

/** Answers one request of a recorded call; `send` passes the request on over the real transport. */
export type Responder = (
  call: RecordedCall,
  request: SignedRequest,
  send: (request: SignedRequest) => Promise<TransportResponse>,
) => Promise<TransportResponse>;

interface Context {
  readonly function?: string;
  readonly call?: RecordedCall;
}

const context = new AsyncLocalStorage<Context>();

/** Runs `work` as function `logicalId`: every SDK call inside is attributed to it. */
export function asFunction<T>(logicalId: string, work: () => Promise<T>): Promise<T> {
  return context.run({ function: logicalId }, work);
}

interface Installed {
  readonly calls: RecordedCall[];
  respond: Responder;
  /** Puts the SDK's own `send` and `handle` back. */
  readonly restore: () => void;
}
let installed: Installed | undefined;

/** Takes the recorder out of the SDK again (test files may share a process). */
export function stopCapture(): void {
  installed?.restore();
  installed = undefined;
}

/**
 * Puts the recorder into the SDK (once per test process) and sets how requests are answered.
 * @returns the list every later call is appended to.
 * @throws {Error} from a call made outside {@link asFunction} (it could not be attributed).
 */
export function captureSdkCalls(respond: Responder): RecordedCall[] {
  if (installed) {
    installed.respond = respond;
    return installed.calls;
  }
  const { Client } = require("@smithy/core/client") as {
    Client: { prototype: { send: (...args: unknown[]) => unknown } };
  };
  const { NodeHttpHandler } = require("@smithy/node-http-handler") as {
    NodeHttpHandler: {
      prototype: { handle: (request: SignedRequest, options?: unknown) => Promise<TransportResponse> };
    };
  };
  const send = Client.prototype.send;
  const handle = NodeHttpHandler.prototype.handle;
  const state: Installed = {
    calls: [],
    respond,
    restore: () => {
      Client.prototype.send = send;
      NodeHttpHandler.prototype.handle = handle;
    },
  };
  installed = state;
  Client.prototype.send = function (this: { config: { serviceId?: string; region?: unknown } }, ...args: unknown[]) {
    const [command] = args as [{ constructor: { name: string }; input: Record<string, unknown> }];
    const fn = context.getStore()?.function;
    if (fn === undefined) {
      return Promise.reject(new Error(`${command.constructor.name} sent outside a function's invocation`));
    }
    const call = {
      function: fn,
      service: this.config.serviceId ?? "unknown",
      command: command.constructor.name,
      input: command.input,
      region: "",
    };
    state.calls.push(call);
    const config = this.config as { region?: string | (() => Promise<string>) };
    return context.run({ function: fn, call }, async () => {
      call.region = typeof config.region === "function" ? await config.region() : (config.region ?? "");
      return send.apply(this, args);
    });
  };
  NodeHttpHandler.prototype.handle = function (request: SignedRequest, options?: unknown) {
    const call = context.getStore()?.call;
    if (!call) return Promise.reject(new Error(`an unattributed request to ${request.hostname}${request.path}`));
    return state.respond(call, request, (forwarded) => handle.call(this, forwarded, options));
  };
  return state.calls;
}
