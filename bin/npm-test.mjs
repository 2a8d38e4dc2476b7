#!/usr/bin/env node
// `npm test`: vitest, with the type check and the lint running beside it at a lower CPU priority
// (they fill the moments vitest's workers wait) instead of before it. Their output is printed after
// vitest's; the run fails when any of the three fails. Arguments go to `vitest run`.
import { spawn } from "node:child_process";
import { setPriority } from "node:os";

/** Runs an npm script, its output held; resolves with its exit code and output. */
function check(script) {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      setPriority(child.pid, 10);
    } catch {
      // Not allowed here: it runs at the same priority.
    }
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.on("close", (code) => resolve({ script, code, output }));
  });
}

const checks = Promise.all([check("typecheck"), check("lint")]);
const tests = await new Promise((resolve) => {
  const child = spawn("vitest", ["run", ...process.argv.slice(2)], { stdio: "inherit" });
  child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});
let failed = tests !== 0;
for (const { script, code, output } of await checks) {
  if (code === 0) continue;
  failed = true;
  process.stderr.write(`\nnpm run ${script} failed (exit ${code}):\n${output}`);
}
process.exitCode = failed ? 1 : 0;
