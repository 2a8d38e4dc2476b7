#!/usr/bin/env node
// Launcher for `npx vendor-sync`: runs the CLI compiled ahead of time (bin/compile-cli.mjs), compiling
// it first when a source changed; where it cannot be compiled (no esbuild), runs the TypeScript through tsx.
import { enableCompileCache } from "node:module";
import { pathToFileURL } from "node:url";

enableCompileCache?.();
let entry;
try {
  entry = pathToFileURL(await (await import("./compile-cli.mjs")).compiledCli()).href;
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  (await import("tsx/esm/api")).register();
  entry = new URL("./vendor-sync.ts", import.meta.url).href;
}
await import(entry);
