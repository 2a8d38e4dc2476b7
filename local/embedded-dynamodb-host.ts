/**
 * Where the embedded DynamoDB runs: on the caller's thread, or on a thread of its own. On its own
 * thread, dynalite's validation, expression evaluation and LevelDB bookkeeping (most of a write's
 * CPU) run beside the sandbox's work instead of between it: a data directory's store runs there.
 * An in-memory store (tests, `--in-memory`) stays on the caller's thread: it starts with no thread
 * to boot. Both answer exactly as dynalite's HTTP server does (`runDynaliteRequest`).
 *
 * @see https://nodejs.org/api/worker_threads.html
 */
import { Worker } from "node:worker_threads";
import {
  closeDynaliteStore,
  type DynaliteAnswer,
  openDynaliteStore,
  runDynaliteRequest,
} from "./embedded-dynamodb-store.ts";

/** A running embedded store: requests in dynalite's wire form, answered as its server answers them. */
export interface EmbeddedStore {
  /**
   * @param operation - `PutItem`, `Query`… @param request - the request's JSON body.
   * @throws what dynalite throws outside an answer (a closed store, a thread that died).
   */
  request(operation: string, request: string): Promise<DynaliteAnswer>;
  /** Closes the store (flushing LevelDB) after the requests in flight; ends its thread. */
  close(): Promise<void>;
}

/** Opens the store on this thread. @param options.path - LevelDB folder; in memory when absent. */
export function openStoreInThread(options: { path?: string } = {}): EmbeddedStore {
  const store = openDynaliteStore(options);
  return {
    request: (operation, request) => runDynaliteRequest(store, operation, request),
    close: () => closeDynaliteStore(store),
  };
}

type Reply = { id: number; status: number; body: string } | { id: number; error: string };

/**
 * Opens the store on a worker thread of its own (`embedded-dynamodb-worker.ts`). The thread holds
 * the process open only while requests are in flight, as the store on this thread would.
 * @param options.path - LevelDB folder; in memory when absent.
 */
export function openStoreInWorker(options: { path?: string } = {}): EmbeddedStore {
  const worker = new Worker(new URL("./embedded-dynamodb-worker.ts", import.meta.url), { workerData: options });
  worker.unref();
  const pending = new Map<number, { resolve: (answer: DynaliteAnswer) => void; reject: (error: Error) => void }>();
  let next = 0;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const waiting of pending.values()) waiting.reject(failure);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the embedded DynamoDB thread exited (code ${code})`)));
  worker.on("message", (reply: Reply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if ("error" in reply) waiting.reject(new Error(reply.error));
    else waiting.resolve({ status: reply.status, body: reply.body });
  });
  return {
    request: (operation, request) => {
      if (failure) return Promise.reject(failure);
      const id = next++;
      if (pending.size === 0) worker.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, operation, request });
      });
    },
    close: async () => {
      if (failure) return;
      worker.ref();
      const closed = new Promise<{ error?: string }>((resolve) =>
        worker.on("message", (message: { closed?: boolean; error?: string }) => {
          if (message.closed) resolve(message);
        }),
      );
      worker.postMessage({ close: true });
      const { error } = await closed;
      await worker.terminate();
      if (error) throw new Error(error);
    },
  };
}
