/**
 * The work of `vendor-sync serve` (registered in `serve.ts`): runs the sandbox — webhook and admin routes, queues and their consumers,
 * schedules, a local vendor API — and keeps its configuration live: vendor files and the secrets file
 * are reloaded on change and on SIGHUP (invalid edits refused, the last good configuration kept).
 * Logs on stderr: a start line (address, data directory), one line per webhook delivery, what each
 * reload changed, and a shutdown line.
 */
import { type FSWatcher, watch } from "node:fs";
import { join } from "node:path";
import { displayPath } from "../../config/display-path.ts";
import type { ConfigurationFaultError } from "../../lambdas/core/errors.ts";
import type { DeliveryOutcome } from "../../lambdas/ingest-webhook/ingest-webhook.ts";
import { publishOwnerApi, resolveDataDir } from "../data-dir.ts";
import { type ConfigurationReload, openSandbox, type Sandbox } from "../sandbox.ts";
import { startLocalSchedules, startLocalWatchdog } from "../schedules.ts";
import { createLocalServer, listen } from "../server.ts";
import type { ServeContext } from "./serve.ts";

/** How long file events settle before a reload, ms (an editor's save is several events). */
const RELOAD_DEBOUNCE_MS = 150;

/** @returns whether a listen address accepts only this machine's connections. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** One line per webhook delivery: vendor, status, event id, duration (and a rotation still in use). */
export function formatDelivery(outcome: DeliveryOutcome): string {
  const parts = [`webhook ${outcome.vendorId}`, `status: ${outcome.status}`];
  if (outcome.eventId) parts.push(`eventId: ${outcome.eventId}`);
  if (outcome.duplicate) parts.push("duplicate: true");
  if (outcome.reason) parts.push(`reason: ${outcome.reason}`);
  parts.push(`duration: ${outcome.durationMs} ms`);
  if (outcome.previousSecretUsed) parts.push("previousSecretUsed: true");
  return parts.join("  ");
}

/** @returns what a reload changed and refused, one line each (none when nothing changed). */
export function describeReload(reload: ConfigurationReload): string[] {
  const lines: string[] = [];
  const { vendors, secrets } = reload;
  for (const id of vendors.added) lines.push(`vendor ${id} added`);
  for (const id of vendors.changed) lines.push(`vendor ${id} changed`);
  for (const id of vendors.removed) lines.push(`vendor ${id} removed`);
  for (const { vendorId, error, kept } of vendors.refused) {
    lines.push(
      `refused the configuration of vendor ${vendorId} (${kept ? "the last good one stays in use" : "the vendor stays unavailable"}):`,
      ...error.message.split("\n").map((line) => `  ${line}`),
    );
  }
  for (const id of secrets.changed) lines.push(`signing secret of vendor ${id} changed`);
  for (const problem of secrets.refused) {
    lines.push(
      `refused the signing secret of vendor ${problem.vendorId} (${problem.secretName}): ${problem.problem}; the last good one stays in use`,
    );
  }
  return lines;
}

/** The start lines' warnings: invalid vendor files and unusable signing secrets. */
function startWarnings(sandbox: Sandbox): string[] {
  const lines: string[] = [];
  for (const [id, error] of sandbox.configs.invalid) {
    lines.push(
      `vendor ${id} is unavailable, its configuration is invalid:`,
      ...error.message.split("\n").map((l) => `  ${l}`),
    );
  }
  for (const problem of sandbox.secrets.problems) {
    lines.push(
      `vendor ${problem.vendorId} has no usable signing secret (${problem.secretName}): ${problem.problem}; its deliveries get 503 until it is fixed`,
    );
  }
  return lines;
}

/**
 * Watches folders (not files: editors replace a file on save) for changes to the entries `accept`
 * names; calls `onChange` once per burst of events. No polling: inotify and its peers.
 */
function watchConfiguration(
  folders: readonly { dir: string; accept: (name: string) => boolean }[],
  onChange: () => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];
  for (const { dir, accept } of folders) {
    const changed = (_event: string, name: string | Buffer | null) => {
      if (name !== null && !accept(String(name))) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, RELOAD_DEBOUNCE_MS);
    };
    try {
      watchers.push(watch(dir, { persistent: false }, changed));
    } catch {
      // A folder that cannot be watched: SIGHUP still reloads.
    }
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}

/**
 * Runs `serve` until SIGINT or SIGTERM: opens the sandbox on the data directory, listens, starts the
 * consumers and schedules, watches the configuration, then stops them all in order.
 * @throws {DataDirBusyError} when another process owns the data directory.
 */
export async function serve(
  ctx: ServeContext,
  options: { port: number; host: string; dataDir?: string },
): Promise<void> {
  const { io } = ctx;
  const log = (line: string) => io.err(`vendor-sync serve: ${line}\n`);
  const dataDir = resolveDataDir(options.dataDir);
  const sandbox = await openSandbox({ dataDir, command: "serve" });
  let url = "";
  const server = createLocalServer(
    sandbox,
    ctx.runCli(sandbox, () => url),
  );
  url = await listen(server, options.port, options.host);
  publishOwnerApi(dataDir, url);
  sandbox.realtimeDriver.start();
  sandbox.scheduled.syncDriver.start();
  const onDelivery = (outcome: DeliveryOutcome) => log(formatDelivery(outcome));
  const onFault = (fault: ConfigurationFaultError) =>
    log(`configuration fault  vendor: ${fault.vendorId}  ${fault.problem} (answered 503 with Retry-After)`);
  sandbox.events.on("delivery", onDelivery);
  sandbox.events.on("configuration-fault", onFault);
  let schedules = startLocalSchedules(sandbox, { log: (line) => io.err(`${line}\n`) });
  const stopWatchdog = startLocalWatchdog(sandbox, { log: (line) => io.err(`${line}\n`) });

  const vendorsDir = sandbox.configs.dir;
  const secretsFile = join(dataDir, "secrets.json");
  const reload = (why: string) => {
    let lines: string[];
    try {
      const result = sandbox.reloadConfiguration();
      lines = describeReload(result);
      const { added, changed, removed } = result.vendors;
      if (added.length + changed.length + removed.length > 0) {
        schedules.stop();
        schedules = startLocalSchedules(sandbox, { log: (line) => io.err(`${line}\n`) });
      }
    } catch (error) {
      lines = [`reload failed, the last good configuration stays in use: ${(error as Error).message}`];
    }
    if (lines.length > 0) log(`reloaded (${why}):`);
    for (const line of lines) io.err(`  ${line}\n`);
    if (lines.length === 0 && why === "SIGHUP") log("reloaded (SIGHUP): nothing changed");
  };
  const stopWatching = watchConfiguration(
    [
      { dir: dataDir, accept: (name) => name === "secrets.json" },
      ...(vendorsDir ? [{ dir: vendorsDir, accept: (name: string) => name.endsWith(".json") }] : []),
    ],
    () => reload("file change"),
  );
  const onHangUp = () => reload("SIGHUP");
  process.on("SIGHUP", onHangUp);

  // Announced only now: a change made right after the start line is seen.
  log(`listening on ${url}  data directory ${dataDir}`);
  log(
    `${sandbox.vendors.size} vendor${sandbox.vendors.size === 1 ? "" : "s"} from ${vendorsDir ? displayPath(vendorsDir) : "(given in code)"}; signing secrets in ${displayPath(secretsFile)}`,
  );
  for (const line of startWarnings(sandbox)) log(line);
  io.err(
    `  POST ${url}/webhooks/<vendorId>   (vendor-sync webhook send --vendor <id> <body.json> signs and posts one)\n`,
  );
  io.err(
    `  admin routes: ${url}/admin/jobs, ${url}/admin/vendors/<vendorId>/syncs   (no IAM locally: Authorization: Bearer <${dataDir}/admin-token>)\n`,
  );
  if (!isLoopback(options.host)) {
    io.err(
      `  listening on ${options.host}, not only on loopback: other machines can reach the webhook route; admin routes need the token\n`,
    );
  }
  for (const line of schedules.describe()) io.err(`  schedule: ${line}\n`);
  io.err("  vendor files and the secrets file are reloaded on change (or kill -HUP); Ctrl-C stops\n");

  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  process.off("SIGHUP", onHangUp);
  stopWatching();
  sandbox.events.off("delivery", onDelivery);
  sandbox.events.off("configuration-fault", onFault);
  schedules.stop();
  stopWatchdog();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sandbox.close();
  log(`stopped (${signal}); data kept in ${dataDir}`);
}
