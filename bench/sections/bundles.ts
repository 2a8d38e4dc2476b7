/**
 * 4. Bundles and cold start: every Lambda entry (`lambdas/<name>/handler.ts`) bundled with the
 * construct's own esbuild options (`vendorSyncBundling`, vendor configurations inlined), its size
 * minified and gzipped, its SDK-free size (the same build with the AWS SDK external: our code and
 * our other dependencies), and the added import time: median of fresh `node` processes importing
 * the bundle (with the function's environment and `NODE_OPTIONS`) minus an empty handler's.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BundlingOptions } from "aws-cdk-lib/aws-lambda-nodejs";
import { type BuildOptions, build, type Metafile } from "esbuild";
import { median } from "simple-statistics";
import { loadVendorConfigs } from "../../config/load-vendors.ts";
import { vendorSyncBundling } from "../../lib/constructs/vendor-sync-function.ts";
import { Figures } from "../lib/budget.ts";
import { ROOT } from "../lib/fixtures.ts";
import { workerPath } from "../lib/processes.ts";
import type { SectionOptions, SectionResult } from "../lib/section.ts";

/**
 * Functions that process vendor data (webhooks, queued events, files, plan and apply batches): they
 * get the processor budget (≤ 400 KB, ≤ 70 ms added init). The others (starter, validation, commit,
 * fail, freshness monitor, change publisher) get the SDK-free budget (≤ 60 KB).
 */
export const PROCESSORS = new Set([
  "ingest-webhook",
  "process-changes",
  "apply-changes",
  "batch-prepare",
  "batch-plan",
  "batch-apply",
]);

/** Packages of the AWS SDK (and what only the SDK pulls in), left out of the SDK-free build. */
const SDK_PACKAGES = ["@aws-sdk/*", "@smithy/*", "@aws-crypto/*"];

/** The environment a function's `env.ts` needs, with plausible values (nothing is called). */
export function benchEnvironment(): Record<string, string> {
  return {
    RECORDS_TABLE_NAME: "vendor-sync-records",
    SYNC_TABLE_NAME: "vendor-sync-sync",
    IMPORTS_BUCKET_NAME: "vendor-sync-imports",
    ARCHIVE_BUCKET_NAME: "vendor-sync-archive",
    REALTIME_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/vendor-sync-realtime",
    REALTIME_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/vendor-sync-realtime-dlq",
    BATCH_STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:vendor-sync-batch",
    CHANGES_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:vendor-sync-changes",
    JOBS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:vendor-sync-jobs",
    OPS_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:vendor-sync-jobs",
    SYNC_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/vendor-sync-sync",
    SYNC_DLQ_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/vendor-sync-sync-dlq",
    QUEUES: JSON.stringify({
      realtime: {
        queueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/vendor-sync-realtime",
        queueArn: "arn:aws:sqs:us-east-1:123456789012:vendor-sync-realtime",
        deadLetterQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/vendor-sync-realtime-dlq",
        deadLetterQueueArn: "arn:aws:sqs:us-east-1:123456789012:vendor-sync-realtime-dlq",
      },
    }),
    // What the Lambda runtime and the construct set.
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_LAMBDA_FUNCTION_NAME: "bench",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    POWERTOOLS_SERVICE_NAME: "vendor-sync",
    POWERTOOLS_METRICS_NAMESPACE: "VendorSync",
    POWERTOOLS_LOG_LEVEL: "INFO",
  };
}

/** @returns esbuild options equivalent to what `NodejsFunction` runs for these bundling options. */
export function esbuildOptionsOf(bundling: BundlingOptions): BuildOptions {
  return {
    bundle: true,
    platform: "node",
    format: bundling.format === "esm" ? "esm" : "cjs",
    target: bundling.target ?? "node24",
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    external: [...(bundling.externalModules ?? [])],
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    define: { ...(bundling.define ?? {}) },
    metafile: true,
    logLevel: "error",
  };
}

/** One function's figures. */
export interface BundleResult {
  readonly name: string;
  readonly kind: "processor" | "control";
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly sdkFreeBytes: number;
  readonly importMs: number;
  readonly addedInitMs: number;
  readonly rssAfterImportMb: number;
  /** Largest inputs (by package), bytes in the output. */
  readonly largestInputs: readonly { readonly input: string; readonly bytes: number }[];
}

/** @returns bytes in the output per package (or per source folder), largest first. */
export function largestInputs(metafile: Metafile, top = 8): { input: string; bytes: number }[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const sizes = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split("/").slice(0, 2).join("/");
    sizes.set(pkg, (sizes.get(pkg) ?? 0) + input.bytesInOutput);
  }
  return [...sizes]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

async function bundle(
  entry: string,
  outDir: string,
  options: BuildOptions,
): Promise<{ file: string; bytes: Buffer; metafile: Metafile }> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "index.mjs");
  const result = await build({ ...options, entryPoints: [entry], outfile: file, write: false });
  let code: Uint8Array | undefined;
  for (const out of result.outputFiles ?? []) {
    writeFileSync(out.path, out.contents);
    if (out.path.endsWith(".mjs")) code = out.contents;
  }
  if (!code || !result.metafile) throw new Error(`${entry}: no output`);
  return { file, bytes: Buffer.from(code), metafile: result.metafile };
}

/** @returns one fresh process's import time of a bundle, ms, and its RSS after it. */
function importOnce(file: string, env: NodeJS.ProcessEnv): Promise<{ ms: number; rss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerPath("import-time.mjs"), file], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code === 0 && line) resolve(JSON.parse(line) as { ms: number; rss: number });
      else reject(new Error(`importing ${file} failed (${code}): ${err.slice(0, 500)}`));
    });
  });
}

export async function bundlesSection(options: SectionOptions): Promise<SectionResult> {
  const figures = new Figures("bundles");
  const names = readdirSync(join(ROOT, "lambdas"))
    .filter((name) => existsSync(join(ROOT, "lambdas", name, "handler.ts")))
    .sort();
  const bundling = vendorSyncBundling([...loadVendorConfigs().values()]);
  const esbuild = esbuildOptionsOf(bundling);
  const root = join(options.tmpDir, "bundles");
  mkdirSync(root, { recursive: true });
  // Externals (the runtime's SDK on Lambda) resolve from the project's node_modules here.
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  const emptyEntry = join(root, "empty-handler.ts");
  writeFileSync(emptyEntry, "export const handler = async () => ({});\n");

  const built = new Map<string, { file: string; bytes: Buffer; metafile: Metafile; sdkFree: number }>();
  for (const name of ["(empty)", ...names]) {
    const entry = name === "(empty)" ? emptyEntry : join(ROOT, "lambdas", name, "handler.ts");
    const out = await bundle(entry, join(root, name === "(empty)" ? "empty" : name), esbuild);
    const sdkFree = await build({
      ...esbuild,
      entryPoints: [entry],
      outfile: join(root, "sdk-free.mjs"),
      write: false,
      sourcemap: false,
      external: [...(esbuild.external ?? []), ...SDK_PACKAGES],
    });
    const code = sdkFree.outputFiles?.find((f) => f.path.endsWith(".mjs"))?.contents.length ?? Number.NaN;
    built.set(name, { ...out, sdkFree: code });
  }

  const env = {
    PATH: process.env.PATH ?? "",
    ...benchEnvironment(),
    NODE_OPTIONS: "--enable-source-maps",
  };
  const runs = options.quick ? 3 : 15;
  const times = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  options.log(`bundles: ${runs} fresh imports of ${names.length} bundles and an empty handler`);
  for (let run = 0; run < runs; run++) {
    // Interleaved, so drift on the machine spreads over every function alike.
    for (const [name, b] of built) {
      const { ms, rss: bytes } = await importOnce(b.file, env);
      times.set(name, [...(times.get(name) ?? []), ms]);
      rss.set(name, [...(rss.get(name) ?? []), bytes]);
    }
  }
  const emptyMs = median(times.get("(empty)") as number[]);
  const results: BundleResult[] = [];
  for (const name of names) {
    const b = built.get(name) as { bytes: Buffer; metafile: Metafile; sdkFree: number };
    const importMs = median(times.get(name) as number[]);
    const result: BundleResult = {
      name,
      kind: PROCESSORS.has(name) ? "processor" : "control",
      bytes: b.bytes.length,
      gzipBytes: gzipSync(b.bytes).length,
      sdkFreeBytes: b.sdkFree,
      importMs,
      addedInitMs: importMs - emptyMs,
      rssAfterImportMb: median(rss.get(name) as number[]) / 1024 / 1024,
      largestInputs: largestInputs(b.metafile),
    };
    results.push(result);
    const kb = (n: number) => n / 1024;
    const sizes = `${kb(result.bytes).toFixed(0)} KB min, ${kb(result.gzipBytes).toFixed(0)} KB gzip, SDK-free ${kb(result.sdkFreeBytes).toFixed(0)} KB`;
    if (result.kind === "processor") {
      figures.budget(`${name}.size`, `${name}: bundle (minified ESM)`, kb(result.bytes), "KB", "<=", 400, sizes);
      figures.budget(
        `${name}.init`,
        `${name}: added init (import)`,
        result.addedInitMs,
        "ms",
        "<=",
        70,
        `median of ${runs}`,
      );
    } else {
      figures.budget(`${name}.sdkFree`, `${name}: SDK-free bundle`, kb(result.sdkFreeBytes), "KB", "<=", 60, sizes);
      figures.info(`${name}.init`, `${name}: added init (import)`, result.addedInitMs, "ms", `median of ${runs}`);
    }
  }
  return {
    figures: figures.list,
    details: {
      externalModules: bundling.externalModules ?? [],
      nodeOptions: env.NODE_OPTIONS,
      emptyHandlerImportMs: emptyMs,
      runs,
      functions: results,
    },
  };
}
