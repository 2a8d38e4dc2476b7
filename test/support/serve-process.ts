import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "./files.ts";

/** A `vendor-sync serve` running in its own process, as a user starts it. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** The local API's base URL. */
  readonly url: string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** `kill -9`: no shutdown code runs. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (a clean stop). @returns the exit code. */
  stop(): Promise<number | null>;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/**
 * Starts `vendor-sync serve --port 0` on a data directory.
 * @throws when it exits before printing its URL (its stderr is in the message).
 */
export async function startServe(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [repoPath("bin/vendor-sync.mjs"), "serve", "--port", "0", "--data-dir", dataDir],
    {
      cwd: repoPath("."),
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, ...env },
    },
  );
  let seen = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    seen += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /vendor-sync serve: listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1]) {
        child.stderr?.off("data", onData);
        child.off("exit", onExit);
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`serve exited (${code}) before listening: ${seen}`));
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
  return {
    child,
    url,
    stderr: () => seen,
    kill9: async () => {
      child.kill("SIGKILL");
      await exited(child);
    },
    stop: async () => {
      child.kill("SIGTERM");
      await exited(child);
      return child.exitCode;
    },
  };
}

/** A signing secret the sandbox created in its data directory (`secrets.json`). */
export function sandboxSecret(dataDir: string, secretName: string): string {
  const secrets = JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as Record<string, string>;
  const secret = secrets[secretName];
  if (!secret) throw new Error(`no secret ${secretName} in ${dataDir}/secrets.json`);
  return secret;
}
