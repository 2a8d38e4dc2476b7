/**
 * Imported first by the CLI and the demo, before any handler module: the handlers' Powertools
 * logger and metrics write to stdout in Lambda, but in the sandbox stdout carries the command's
 * result (`--json` prints exactly one line). Dev mode sends Powertools to the global console, whose
 * log methods this points at stderr; EMF metrics are off (no CloudWatch here) and logs start at WARN.
 * Set `POWERTOOLS_LOG_LEVEL=INFO` to see the stages' logs.
 */
import { format } from "node:util";

process.env.POWERTOOLS_DEV ??= "true";
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const toStderr = (...args: unknown[]) => {
  process.stderr.write(`${format(...args)}\n`);
};
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;
