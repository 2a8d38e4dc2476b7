/**
 * Commands forwarded to `serve` (one process owns a data directory; the others send it their command
 * lines). The answer streams as JSON Lines: progress events while the command runs — so an import
 * forwarded from a terminal still draws its progress bar there — then one result line.
 */
import type { ServerResponse } from "node:http";
import type { ImportProgress } from "../lambdas/core/import-pipeline.ts";
import type { ProgressReporter } from "./commands/import.ts";

/** One line of a forwarded command's answer. */
export type ForwardedLine =
  | { readonly progress: ProgressEvent }
  | { readonly result: { readonly exitCode: number; readonly stdout: string; readonly stderr: string } };

/** A progress reporter's calls, as data. */
export type ProgressEvent =
  | { readonly event: "start"; readonly label: string; readonly totalBytes: number }
  | { readonly event: "update"; readonly bytes: number; readonly progress: ImportProgress }
  | { readonly event: "stop" };

/** Runs a forwarded command inside the server; `progress` is set when the caller draws a progress bar. */
export type CliRunner = (
  argv: readonly string[],
  cwd: string | undefined,
  progress?: (label: string) => ProgressReporter,
) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

/**
 * The result line of a forwarded command's whole answer (for callers that want no progress: scripts,
 * tests, benchmarks).
 * @throws Error when the answer has no result line.
 */
export function forwardedResult(answer: string): Extract<ForwardedLine, { result: unknown }>["result"] {
  for (const text of answer.split("\n")) {
    if (text.trim() === "") continue;
    const line = JSON.parse(text) as ForwardedLine;
    if ("result" in line) return line.result;
  }
  throw new Error("the sandbox server ended its answer without a result");
}

/** A reporter that sends its calls down the answer as JSON Lines. */
function streamingReporter(label: string, send: (line: ForwardedLine) => void): ProgressReporter {
  return {
    start: (totalBytes) => send({ progress: { event: "start", label, totalBytes } }),
    update: (bytes, progress) =>
      send({
        progress: { event: "update", bytes, progress: { rowsRead: progress.rowsRead, counts: progress.counts } },
      }),
    stop: () => send({ progress: { event: "stop" } }),
  };
}

/** Answers a validated `POST /_cli` (`{ argv, cwd, progress }`): progress lines, then the result line. */
export async function answerForwardedCli(
  request: { readonly argv: readonly string[]; readonly cwd: string | undefined; readonly progress: boolean },
  response: ServerResponse,
  runCli: CliRunner,
): Promise<void> {
  response.writeHead(200, { "content-type": "application/x-ndjson" });
  const send = (line: ForwardedLine) => response.write(`${JSON.stringify(line)}\n`);
  const result = await runCli(
    request.argv,
    request.cwd,
    request.progress ? (label) => streamingReporter(label, send) : undefined,
  );
  send({ result });
  response.end();
}

/**
 * Sends a command line to `serve` and plays its answer back: progress to `progress` (a terminal bar)
 * as it arrives, then the command's output.
 *
 * @param headers - sent with the request (the admin token's Authorization).
 * @returns the command's exit code (1 when the server refuses the command).
 */
export async function forwardCli(
  apiUrl: string,
  request: { argv: readonly string[]; cwd: string },
  io: { out(text: string): void; err(text: string): void; progress?: (label: string) => ProgressReporter | undefined },
  headers: Record<string, string> = {},
): Promise<number> {
  const wantsProgress = io.progress !== undefined;
  const response = await fetch(`${apiUrl}/_cli`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ ...request, progress: wantsProgress }),
  });
  if (!response.ok) {
    const { error } = (await response.json().catch(() => ({}))) as { error?: string };
    io.err(`vendor-sync: the sandbox server at ${apiUrl} refused the command: ${error ?? response.status}\n`);
    return 1;
  }
  if (!response.body) throw new Error("the sandbox server sent an empty answer");
  let bar: ProgressReporter | undefined;
  let buffered = "";
  const decoder = new TextDecoder();
  let result: Extract<ForwardedLine, { result: unknown }>["result"] | undefined;
  const handle = (text: string) => {
    if (text.trim() === "") return;
    const line = JSON.parse(text) as ForwardedLine;
    if ("result" in line) {
      result = line.result;
      return;
    }
    const event = line.progress;
    if (event.event === "start") {
      bar = io.progress?.(event.label);
      bar?.start(event.totalBytes);
    } else if (event.event === "update") bar?.update(event.bytes, event.progress);
    else bar?.stop();
  };
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) handle(line);
  }
  handle(buffered);
  if (!result) throw new Error("the sandbox server ended its answer without a result");
  io.out(result.stdout);
  io.err(result.stderr);
  return result.exitCode;
}
