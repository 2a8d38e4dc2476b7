import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Default data directory of the sandbox, relative to the working directory. */
export const DEFAULT_DATA_DIR = ".vendor-sync";

/** @returns the data directory: `--data-dir`, else `VENDOR_SYNC_DATA_DIR`, else `./.vendor-sync/`. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.VENDOR_SYNC_DATA_DIR ?? DEFAULT_DATA_DIR);
}

/** Who owns a data directory: one process at a time (dynalite's LevelDB allows one). */
export interface DataDirOwner {
  readonly pid: number;
  readonly command: string;
  /** Epoch ms. */
  readonly since: number;
  /** The owner's local API, when it serves one (`vendor-sync serve`). */
  readonly apiUrl?: string;
}

/** Another live process holds the data directory. */
export class DataDirBusyError extends Error {
  readonly owner: DataDirOwner;

  constructor(dir: string, owner: DataDirOwner) {
    super(
      `data directory ${dir} is in use by process ${owner.pid} (${owner.command}, since ${new Date(owner.since).toISOString()}); ` +
        "stop it, or use another --data-dir",
    );
    this.name = "DataDirBusyError";
    this.owner = owner;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** @returns the live owner of a data directory, if any (a stale owner file is ignored). */
export function currentOwner(dir: string): DataDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as DataDirOwner;
    return owner.pid !== process.pid && alive(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes ownership of a data directory for this process.
 * @returns a function that gives it back.
 * @throws {DataDirBusyError} when another live process owns it.
 */
export function acquireDataDir(dir: string, command: string, apiUrl?: string): () => void {
  mkdirSync(dir, { recursive: true });
  const owner = currentOwner(dir);
  if (owner) throw new DataDirBusyError(dir, owner);
  const file = join(dir, "owner.json");
  const me: DataDirOwner = { pid: process.pid, command, since: Date.now(), ...(apiUrl ? { apiUrl } : {}) };
  writeFileSync(file, JSON.stringify(me));
  return () => {
    try {
      const still = JSON.parse(readFileSync(file, "utf8")) as DataDirOwner;
      if (still.pid === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** Records the owner's local API URL once it listens, so other CLI processes forward to it. */
export function publishOwnerApi(dir: string, apiUrl: string): void {
  const file = join(dir, "owner.json");
  const owner = JSON.parse(readFileSync(file, "utf8")) as DataDirOwner;
  if (owner.pid !== process.pid) throw new Error(`data directory ${dir} is not owned by this process`);
  writeFileSync(file, JSON.stringify({ ...owner, apiUrl }));
}

/** What the sandbox writes directly under its data directory (and nothing else). */
export const DATA_DIR_ENTRIES: ReadonlySet<string> = new Set([
  "dynamodb",
  "objects",
  "bucket",
  "secrets.json",
  "notifications.jsonl",
  "job-notifications.jsonl",
  "ops-notifications.jsonl",
  "owner.json",
]);

/**
 * @returns the entries of `dir` that the sandbox did not write (empty for a missing or sandbox-only
 * directory): a directory holding other files must not be wiped by a reset.
 */
export function foreignEntries(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.filter((entry) => !DATA_DIR_ENTRIES.has(entry));
}
