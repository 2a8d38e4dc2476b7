/**
 * The CLI compiled ahead of time: esbuild bundles `bin/vendor-sync.ts` and the repository's modules
 * it imports into `node_modules/.cache/vendor-sync-cli/` (packages stay in node_modules; each command's
 * modules are a chunk loaded when the command runs), so `npx vendor-sync` starts without compiling
 * TypeScript. `npm ci` builds it (the `prepare` script runs this file); the launcher rebuilds it when
 * a source it was built from changed since, so an edit is never run stale.
 *
 * A build goes to a directory of its own and is published by renaming `current.json`, so processes
 * starting while another builds read a complete build.
 *
 * @see https://esbuild.github.io/api/#splitting
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Where builds live: a cache of this clone's node_modules (git-ignored, gone with `npm ci`). */
export const CLI_CACHE_DIR = join(ROOT, "node_modules", ".cache", "vendor-sync-cli");
const CURRENT = join(CLI_CACHE_DIR, "current.json");
/** Files that change a build besides its sources: this compiler, the TypeScript settings esbuild reads. */
const BUILD_FILES = [fileURLToPath(import.meta.url), join(ROOT, "tsconfig.json")];
/** Builds older than this are removed when a new one is published (a process may still run one). */
const KEEP_OLD_BUILDS_MS = 60 * 60 * 1000;

/**
 * esbuild plugin: a module keeps its own `import.meta.url` (and `dirname`, `filename`) inside the
 * bundle, so the files it finds relative to itself (config/vendors/, config/stages/, examples/,
 * statemachines/) are found from the build directory too. The benchmarks' bundled workers use it as well.
 */
export const ownModuleUrls = {
  name: "own-module-urls",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const url = pathToFileURL(args.path);
      return {
        loader: "ts",
        contents: text
          .replaceAll("import.meta.url", JSON.stringify(url.href))
          .replaceAll("import.meta.dirname", JSON.stringify(fileURLToPath(new URL(".", url)).replace(/\/$/, "")))
          .replaceAll("import.meta.filename", JSON.stringify(args.path)),
      };
    });
  },
};

/** The published build, if any: `{ dir, builtAt, inputs }` (inputs relative to the repository). */
function currentBuild() {
  try {
    const build = JSON.parse(readFileSync(CURRENT, "utf8"));
    return build.root === ROOT && existsSync(join(CLI_CACHE_DIR, build.dir, "vendor-sync.mjs")) ? build : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when a file the build was made from (or this compiler, or tsconfig.json) changed or went away
 * since it was built.
 * @param build - `builtAt` (epoch ms, taken before esbuild read anything) and `inputs` (paths relative to `root`).
 */
export function isStale(build, root = ROOT) {
  for (const file of [...build.inputs.map((input) => join(root, input)), ...BUILD_FILES]) {
    try {
      if (statSync(file).mtimeMs >= build.builtAt) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * Compiles the CLI into a new build directory and publishes it.
 * @returns the path of the build's entry module.
 * @throws whatever esbuild throws for a source that does not compile.
 */
export async function compileCli() {
  const { build } = await import("esbuild");
  const builtAt = Date.now();
  const dir = `build-${builtAt}-${randomBytes(4).toString("hex")}`;
  const outdir = join(CLI_CACHE_DIR, dir);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { "vendor-sync": join(ROOT, "bin", "vendor-sync.ts") },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    absWorkingDir: ROOT,
    outdir,
    // ES modules by their extension: no package.json scope reaches into node_modules/.
    outExtension: { ".js": ".mjs" },
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
    plugins: [ownModuleUrls],
  });
  const inputs = Object.keys(result.metafile.inputs);
  const published = { root: ROOT, dir, builtAt, inputs };
  writeFileSync(`${CURRENT}.${dir}`, JSON.stringify(published));
  renameSync(`${CURRENT}.${dir}`, CURRENT);
  for (const old of readdirSync(CLI_CACHE_DIR)) {
    const path = join(CLI_CACHE_DIR, old);
    if (old.startsWith("build-") && old !== dir && statSync(path).mtimeMs < builtAt - KEEP_OLD_BUILDS_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  return join(outdir, "vendor-sync.mjs");
}

/**
 * The entry module of an up-to-date build: the published one, or a new one when it is missing or stale.
 * @returns its path.
 */
export async function compiledCli() {
  const build = currentBuild();
  if (build && !isStale(build)) return join(CLI_CACHE_DIR, build.dir, "vendor-sync.mjs");
  return compileCli();
}

// `npm ci` (the prepare script): a build that fails here is retried, with its error, by the first run.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await compileCli();
  } catch (error) {
    process.stderr.write(`vendor-sync: the CLI was not compiled ahead of time (${error?.message ?? error})\n`);
  }
}
