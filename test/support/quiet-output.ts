/**
 * Setup file of every test: a passing test prints nothing. The handlers write their Powertools JSON
 * logs and EMF metrics straight to stdout, as in Lambda (vitest's `silent: "passed-only"` covers
 * `console.*` only), so what a test writes to `process.stdout`/`process.stderr` is held, and printed
 * after its name only if the test fails. Output outside a test (module load, `beforeAll`, `afterAll`)
 * is printed at the end of the file when anything in it failed.
 *
 * Tests that read the output (`captureEmf`) spy on `process.stdout.write` over this and see every line.
 */
import { afterAll, beforeEach } from "vitest";

interface Held {
  readonly write: (chunk: string | Uint8Array) => boolean;
  readonly chunk: string | Uint8Array;
}

interface QuietOutput {
  held: Held[];
  readonly stderr: (chunk: string) => boolean;
}

const KEY = Symbol.for("vendor-sync.quiet-output");
const scope = globalThis as { [KEY]?: QuietOutput };

/** Replaces the streams' `write` once per worker process (setup files run again for every test file). */
function install(): QuietOutput {
  const existing = scope[KEY];
  if (existing) return existing;
  const state: QuietOutput = { held: [], stderr: process.stderr.write.bind(process.stderr) };
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: string | Uint8Array) => boolean;
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      const done = [encoding, callback].find((arg): arg is () => void => typeof arg === "function");
      const bytes =
        typeof chunk === "string" && typeof encoding === "string"
          ? Buffer.from(chunk, encoding as BufferEncoding)
          : chunk;
      state.held.push({ write, chunk: bytes });
      if (done) queueMicrotask(done);
      return true;
    }) as typeof stream.write;
  }
  scope[KEY] = state;
  return state;
}

const state = install();

function release(from: number, heading: string) {
  const lines = state.held.splice(from);
  if (lines.length === 0) return;
  state.stderr(`\n----- ${heading} -----\n`);
  for (const { write, chunk } of lines) write(chunk);
  state.stderr(`----- end of ${heading} -----\n`);
}

beforeEach((context) => {
  const from = state.held.length;
  context.onTestFinished(({ task }) => {
    if (task.result?.state === "fail") release(from, `output of the failed test "${task.fullName}"`);
    else state.held.splice(from);
  });
});

// vitest passes the file's fixtures first (destructured, none used here), the file task second.
// biome-ignore lint/correctness/noEmptyPattern: vitest reads the fixtures a hook uses from this pattern
afterAll(({}, file) => {
  const failed = (task: { result?: { state?: string }; tasks?: readonly unknown[] }): boolean =>
    task.result?.state === "fail" || (task.tasks ?? []).some((child) => failed(child as typeof task));
  if (failed(file)) release(0, `output outside tests of ${file.name}`);
  else state.held.length = 0;
});
