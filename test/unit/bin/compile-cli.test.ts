import { rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isStale } from "../../../bin/compile-cli.mjs";
import { tempDir } from "../../support/cli.ts";

describe("the compiled CLI", () => {
  // The launcher runs the compiled build unless it is stale: a wrong answer here runs old code.
  /** A build made at `builtAt` from one source file of `root`. */
  const built = (root: string, builtAt: number) => {
    writeFileSync(join(root, "cli.ts"), "");
    return { source: join(root, "cli.ts"), build: { builtAt, inputs: ["cli.ts"] } };
  };

  it("is current while no source it was built from changed", () => {
    const root = tempDir();
    const { source, build } = built(root, Date.now() + 60_000);
    utimesSync(source, new Date(build.builtAt - 1_000), new Date(build.builtAt - 1_000));
    expect(isStale(build, root)).toBe(false);
  });

  it("is stale once a source changed after the build started, even within the same second", () => {
    const root = tempDir();
    const { source, build } = built(root, Date.now() + 60_000);
    utimesSync(source, new Date(build.builtAt), new Date(build.builtAt));
    expect(isStale(build, root)).toBe(true);
  });

  it("is stale when a source it was built from is gone", () => {
    const root = tempDir();
    const { source, build } = built(root, Date.now() + 60_000);
    rmSync(source);
    expect(isStale(build, root)).toBe(true);
  });
});
