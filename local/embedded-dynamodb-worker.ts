/**
 * The embedded DynamoDB's own thread (`worker_threads`): opens dynalite's store on the data
 * directory it is given and answers each request the sandbox's client posts, in arrival order.
 * Started by `openStoreInWorker` (embedded-dynamodb-host.ts); runs as plain Node.js (type stripping),
 * so it imports nothing that needs compiling.
 *
 * Messages in: `{ id, operation, request }` (a request's JSON body), `{ close: true }`.
 * Messages out: `{ id, status, body }`, `{ id, error }` (a failure outside an answer), `{ closed: true, error? }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { closeDynaliteStore, openDynaliteStore, runDynaliteRequest } from "./embedded-dynamodb-store.ts";

const port = parentPort;
if (!port) throw new Error("embedded-dynamodb-worker.ts runs as a worker thread");
const store = openDynaliteStore((workerData ?? {}) as { path?: string });

port.on("message", (message: { id?: number; operation?: string; request?: string; close?: boolean }) => {
  if (message.close) {
    closeDynaliteStore(store).then(
      () => port.postMessage({ closed: true }),
      (error: Error) => port.postMessage({ closed: true, error: error.message }),
    );
    return;
  }
  const { id, operation, request } = message as { id: number; operation: string; request: string };
  runDynaliteRequest(store, operation, request).then(
    (answer) => port.postMessage({ id, ...answer }),
    (error: Error) => port.postMessage({ id, error: error?.message ?? String(error) }),
  );
});
