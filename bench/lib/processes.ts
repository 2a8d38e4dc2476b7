/**
 * Child processes of the benchmarks: TypeScript workers (run through tsx), the embedded DynamoDB in
 * its own process, and the kernel's CPU and memory counters of a process (Linux `/proc`).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const TSX = import.meta.resolve("tsx");

/** @returns the path of a worker script under bench/workers. */
export const workerPath = (name: string): string => fileURLToPath(new URL(`../workers/${name}`, import.meta.url));

/** Starts a TypeScript worker on this Node.js (stdout piped, stderr shared). */
export function spawnWorker(
  script: string,
  args: readonly string[] = [],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildProcess {
  return spawn(process.execPath, ["--import", TSX, script, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

/** Starts a child that prints its URL on stderr or stdout; resolves with the URL. */
export async function startServer(child: ChildProcess, pattern: RegExp): Promise<string> {
  const streams = [child.stdout, child.stderr].filter((s): s is NonNullable<typeof s> => s !== null);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
    for (const stream of streams) {
      createInterface({ input: stream }).on("line", (line) => {
        const url = pattern.exec(line)?.[1];
        if (url) resolve(url);
      });
    }
  });
}

/** Stops a child with SIGTERM (SIGKILL after 10 s) and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** @returns the first line a child prints on stdout, parsed as JSON. */
export async function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  if (!child.stdout) throw new Error("the child's stdout is not piped");
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<never>((_resolve, reject) =>
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it answered`))),
  );
  const first = (async () => {
    for await (const line of lines) if (line.trim().startsWith("{")) return JSON.parse(line) as T;
    throw new Error("worker closed stdout before it answered");
  })();
  return Promise.race([first, exited]);
}

/** @returns the last JSON line a child printed before it exited with code 0. */
export async function lastJsonLine<T>(child: ChildProcess): Promise<T> {
  if (!child.stdout) throw new Error("the child's stdout is not piped");
  let last: string | undefined;
  const lines = createInterface({ input: child.stdout });
  const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
  for await (const line of lines) if (line.trim().startsWith("{")) last = line;
  const code = await exit;
  if (code !== 0 || last === undefined) throw new Error(`worker exited with ${code}`);
  return JSON.parse(last) as T;
}

let ticksPerSecond: number | undefined;

/** @returns user + system CPU time of a process, ms (from `/proc/<pid>/stat`). */
export function processCpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

/** The embedded DynamoDB running in a child process. */
export interface DynaliteProcess {
  readonly endpoint: string;
  readonly pid: number;
  /** CPU the store's process used so far, ms. */
  cpuMs(): number;
  close(): Promise<void>;
}

/** Starts dynalite (in memory, the project's tables) in its own process. */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child = spawnWorker(workerPath("dynalite-server.ts"));
  const { endpoint, pid } = await firstJsonLine<{ endpoint: string; pid: number }>(child);
  return {
    endpoint,
    pid,
    cpuMs: () => processCpuMs(pid),
    close: async () => {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
