import { randomUUID } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ClassicLevel } from "classic-level";

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
  /** This ownership's id: jobs and claims made under another session belong to a process that is gone. */
  readonly session?: string;
  /** The owner's local API, when it serves one (`vendor-sync serve`). */
  readonly apiUrl?: string;
}

/** Another live process holds the data directory. */
export class DataDirBusyError extends Error {
  /** The owner, when it has said who it is (it may still be starting). */
  readonly owner: DataDirOwner | undefined;

  constructor(dir: string, owner: DataDirOwner | undefined) {
    super(
      owner
        ? `data directory ${dir} is in use by process ${owner.pid} (${owner.command}, since ${new Date(owner.since).toISOString()}); ` +
            "stop it, or use another --data-dir"
        : `data directory ${dir} is in use by another vendor-sync process (starting or stopping); wait for it, or use another --data-dir`,
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

/** Ownership of a data directory, held until released (or until the process dies). */
export interface DataDirOwnership {
  /** A fresh id for this ownership (see {@link DataDirOwner.session}). */
  readonly session: string;
  /** Gives the directory back: removes `owner.json` and unlocks. */
  release(): Promise<void>;
}

function isLocked(error: unknown): boolean {
  const { code, cause } = error as { code?: string; cause?: { code?: string } };
  return code === "LEVEL_LOCKED" || cause?.code === "LEVEL_LOCKED";
}

/**
 * Takes ownership of a data directory for this process, atomically: an OS file lock (LevelDB's
 * `LOCK` under `<dir>/lock/`) that exactly one process can hold and that the OS releases when its
 * holder dies, even by `kill -9`. `owner.json` then says who holds it, for messages and forwarding.
 *
 * @returns the ownership, to release when done.
 * @throws {DataDirBusyError} when another process holds it.
 */
export async function acquireDataDir(dir: string, command: string, apiUrl?: string): Promise<DataDirOwnership> {
  mkdirSync(dir, { recursive: true });
  const lock = new ClassicLevel(join(dir, "lock"));
  try {
    await lock.open();
  } catch (error) {
    if (isLocked(error)) throw new DataDirBusyError(dir, currentOwner(dir));
    throw error;
  }
  const file = join(dir, "owner.json");
  const session = randomUUID();
  const me: DataDirOwner = { pid: process.pid, command, since: Date.now(), session, ...(apiUrl ? { apiUrl } : {}) };
  writeOwnerFile(dir, me);
  return {
    session,
    release: async () => {
      try {
        const still = JSON.parse(readFileSync(file, "utf8")) as DataDirOwner;
        if (still.session === session) rmSync(file, { force: true });
      } catch {
        // already gone
      }
      await lock.close();
    },
  };
}

/** Records the owner's local API URL once it listens, so other CLI processes forward to it. */
export function publishOwnerApi(dir: string, apiUrl: string): void {
  const file = join(dir, "owner.json");
  const owner = JSON.parse(readFileSync(file, "utf8")) as DataDirOwner;
  if (owner.pid !== process.pid) throw new Error(`data directory ${dir} is not owned by this process`);
  writeOwnerFile(dir, { ...owner, apiUrl });
}

/** Replaces `owner.json` whole (a temporary file renamed over it), so a reader never sees it half-written. */
function writeOwnerFile(dir: string, owner: DataDirOwner): void {
  const temporary = join(dir, `owner.json.${process.pid}.tmp`);
  writeFileSync(temporary, JSON.stringify(owner));
  renameSync(temporary, join(dir, "owner.json"));
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
  "lock",
  "admin-token",
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
