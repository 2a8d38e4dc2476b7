/**
 * The command-line conventions every `vendor-sync` command follows, applied once to the whole
 * program: `--version`; required options marked "(required)" in help and listed in the usage line,
 * and checked only after unknown options (so `--vendr` still gets "did you mean --vendor?"); usage
 * errors as one line plus where the help is, never the whole help; `--json` errors without a doubled
 * prefix.
 */
import { readFileSync } from "node:fs";
import { type Command, CommanderError, type Option } from "commander";

/** The package version (`vendor-sync --version`). */
export const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

const REQUIRED = new WeakSet<Option>();

/** Every command of the program, the program first. */
function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/**
 * A usage error as one line: commander's `error: unknown option '--dry-rn'\n(Did you mean --dry-run?)`
 * becomes `unknown option '--dry-rn' (did you mean --dry-run?)`.
 */
export function usageMessage(text: string): string {
  return text
    .replace(/^error: /, "")
    .replace(/\s*\n\(Did you mean (.*)\?\)/, " (did you mean $1?)")
    .trim();
}

/**
 * Applies the conventions to a built program (call after every command is added).
 *
 * @param write - where usage errors go (stderr).
 */
export function applyCliConventions(program: Command, write: (text: string) => void): void {
  program.version(VERSION, "-V, --version", "print the version and exit");
  const outputError = (text: string) => write(`vendor-sync: ${usageMessage(text)}\n`);
  for (const command of allCommands(program)) {
    command.configureOutput({ outputError });
    const required = command.options.filter((option) => option.mandatory || REQUIRED.has(option));
    for (const option of required) {
      // Checked in the preAction hook below instead: commander checks mandatory options before
      // unknown ones, which turns a typo (`--vendr`) into "required option not specified".
      option.mandatory = false;
      REQUIRED.add(option);
      if (!option.description.endsWith("(required)")) option.description = `${option.description} (required)`;
    }
    if (required.length > 0 && command.commands.length === 0) {
      command.usage(`${required.map((option) => option.flags).join(" ")} ${command.usage()}`);
    }
  }
  program.hook("preAction", (_program, action) => {
    for (const option of action.options) {
      if (REQUIRED.has(option) && action.getOptionValue(option.attributeName()) === undefined) {
        action.error(`error: required option '${option.flags}' not specified`, {
          code: "commander.missingMandatoryOptionValue",
          exitCode: 1,
        });
      }
    }
  });
}

/** `vendor-sync dlq show`: the command an argument list names, for "see '… --help'". */
export function commandPathOf(program: Command, argv: readonly string[]): string {
  const names = [program.name()];
  let command = program;
  for (const arg of argv) {
    if (arg.startsWith("-")) continue;
    const next = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!next) break;
    names.push(next.name());
    command = next;
  }
  return names.join(" ");
}

/** Whether a thrown error is commander telling about bad usage (not help or version, which exit 0). */
export function isUsageFailure(error: unknown): boolean {
  return error instanceof CommanderError && error.exitCode !== 0 && error.code !== "commander.help";
}
