import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { benchEnvironment } from "../../../bench/sections/bundles.ts";
import { repoPath } from "../../support/files.ts";

// The bundle bench imports every function with this environment; a variable a function's env.ts
// requires and the bench lacks made `npm run bench` lose its whole bundles section.
const functions = readdirSync(repoPath("lambdas"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && readdirSync(join(repoPath("lambdas"), entry.name)).includes("env.ts"))
  .map((entry) => entry.name);

describe("the bundle bench's environment", () => {
  it("finds the functions", () => {
    expect(functions.length).toBeGreaterThan(10);
  });

  for (const name of functions) {
    it(`satisfies ${name}'s env.ts`, async () => {
      const { readEnv } = (await import(repoPath(`lambdas/${name}/env.ts`))) as {
        readEnv: (env: NodeJS.ProcessEnv) => unknown;
      };
      expect(() => readEnv(benchEnvironment())).not.toThrow();
    });
  }
});
