import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./cli.ts";
import { repoPath } from "./files.ts";

/** A `vendor-sync serve` process, started as a user starts it, on its own data and vendor folders. */
export interface ServeProcess {
  /** The listening address from the start line. */
  readonly url: string;
  readonly dataDir: string;
  readonly vendorsDir: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr written after `from` characters. */
  waitFor(pattern: RegExp, from?: number): Promise<RegExpMatchArray>;
  /** Writes (or replaces) a vendor file. */
  writeVendor(id: string, config: unknown): void;
  /** Sends a signal (SIGHUP reloads). */
  signal(signal: NodeJS.Signals): void;
  /** Stops it with SIGINT; resolves with its exit code and full stderr. */
  stop(): Promise<{ code: number | null; stderr: string }>;
}

/** Writes vendor files into a fresh folder. */
export function vendorFolder(vendors: Record<string, unknown>): string {
  const dir = join(tempDir("vendors-"), "vendors");
  mkdirSync(dir, { recursive: true });
  for (const [id, config] of Object.entries(vendors)) {
    writeFileSync(join(dir, `${id}.json`), typeof config === "string" ? config : JSON.stringify(config, null, 2));
  }
  return dir;
}

/**
 * Starts `vendor-sync serve --port 0` (a separate Node process, as `npx vendor-sync serve`) with
 * `VENDOR_SYNC_VENDORS_DIR` pointing at `vendorsDir`, and waits for its start line.
 */
export async function startServe(options: {
  vendorsDir: string;
  dataDir?: string;
  /** The secrets file to start with (`<data-dir>/secrets.json`). */
  secrets?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}): Promise<ServeProcess> {
  const dataDir = options.dataDir ?? tempDir("serve-data-");
  if (options.secrets) writeFileSync(join(dataDir, "secrets.json"), JSON.stringify(options.secrets, null, 2));
  const child: ChildProcess = spawn(
    process.execPath,
    [repoPath("bin/vendor-sync.mjs"), "serve", "--port", "0", "--data-dir", dataDir],
    {
      cwd: repoPath("."),
      env: { ...process.env, VENDOR_SYNC_VENDORS_DIR: options.vendorsDir, ...options.env },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const waitFor = (pattern: RegExp, from = 0) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stderr.slice(from).match(pattern);
        if (match) {
          waiters.delete(check);
          resolve(match);
        }
      };
      waiters.add(check);
      exited.then(() => {
        if (waiters.delete(check)) reject(new Error(`serve exited before ${pattern}:\n${stderr}`));
      });
      check();
    });
  const [, url] = (await waitFor(/listening on (http:\/\/\S+)/)) as unknown as [string, string];
  // The start lines end with this one: warnings about vendors and secrets come before it.
  await waitFor(/Ctrl-C stops\n/);
  return {
    url,
    dataDir,
    vendorsDir: options.vendorsDir,
    stderr: () => stderr,
    waitFor,
    writeVendor: (id, config) => writeFileSync(join(options.vendorsDir, `${id}.json`), JSON.stringify(config, null, 2)),
    signal: (signal) => child.kill(signal),
    stop: async () => {
      child.kill("SIGINT");
      return { code: await exited, stderr };
    },
  };
}
