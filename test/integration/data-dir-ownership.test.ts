/** One process owns a data directory: taken atomically by racing processes, freed when its owner dies. */
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDataDir, DataDirBusyError } from "../../local/data-dir.ts";
import { runCli, tempDir } from "../support/cli.ts";
import { repoPath } from "../support/files.ts";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts a process that takes the data directory and keeps it (see hold-data-dir.ts). */
function contender(dir: string, onGo = false) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", repoPath("test/support/hold-data-dir.ts"), dir, ...(onGo ? ["--on-go"] : [])],
    { cwd: repoPath("."), stdio: ["pipe", "pipe", "pipe"] },
  );
  children.push(child);
  let out = "";
  const said = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(out);
        if (match) resolve(match[0]);
      };
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      child.once("exit", () => {
        check();
        reject(new Error(`exited before saying ${pattern}: ${out}`));
      });
      check();
    });
  return { child, said };
}

/** A process holding the data directory. */
async function holder(dir: string): Promise<ChildProcess> {
  const { child, said } = contender(dir);
  await said(/^held/m);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );

describe("data directory ownership", () => {
  it("gives a directory to exactly one of six processes that try to take it at the same moment", async () => {
    const dir = tempDir();
    const racers = Array.from({ length: 6 }, () => contender(dir, true));
    await Promise.all(racers.map((r) => r.said(/^ready/m)));
    for (const r of racers) r.child.stdin?.write("go\n");
    const outcomes = await Promise.all(racers.map((r) => r.said(/^(held|busy).*$/m)));
    expect(outcomes.filter((o) => o.startsWith("held"))).toHaveLength(1);
    for (const busy of outcomes.filter((o) => o.startsWith("busy"))) expect(busy).toMatch(/is in use by /);
  }, 60_000);

  it("answers --json with exactly one JSON line naming the owner when the directory is taken", async () => {
    const dir = tempDir();
    const held = await holder(dir);
    const run = await runCli(["records", "--vendor", "canonical", "--json", "--data-dir", dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^vendor-sync: data directory .* is in use by process/);
    expect(run.stderr).not.toMatch(/Database is closed|\n\s+at /);
    const lines = run.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toEqual({
      error: { message: expect.stringMatching(new RegExp(`in use by process ${held.pid} \\(hold-data-dir`)) },
    });
  }, 60_000);

  it("stays taken while the owner rewrites owner.json (a torn or missing file lets no second process in)", async () => {
    const dir = tempDir();
    await holder(dir);
    writeFileSync(join(dir, "owner.json"), "");
    await expect(acquireDataDir(dir, "test")).rejects.toThrow(/in use by another vendor-sync process/);
    rmSync(join(dir, "owner.json"));
    await expect(acquireDataDir(dir, "test")).rejects.toBeInstanceOf(DataDirBusyError);
  }, 60_000);

  it("is free again the moment its owner is killed with SIGKILL", async () => {
    const dir = tempDir();
    const held = await holder(dir);
    await expect(acquireDataDir(dir, "test")).rejects.toBeInstanceOf(DataDirBusyError);
    held.kill("SIGKILL");
    await exited(held);
    const ownership = await acquireDataDir(dir, "test");
    await ownership.release();
  }, 60_000);
});
