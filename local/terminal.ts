/**
 * What the CLI may draw: escape codes (bold, progress bars) only on a terminal, never into files or
 * pipes, never under `NO_COLOR` or `TERM=dumb`; and counted nouns in the right number.
 *
 * @see https://no-color.org/
 */

/** Whether escape codes may be written to `stream`. */
export function canStyle(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== "dumb";
}

/** `text` in bold when `stream` is a terminal that allows it, else plain. */
export function bold(text: string, stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): string {
  return canStyle(stream, env) ? `\u001b[1m${text}\u001b[0m` : text;
}

/** `1 product`, `2 products`, `0 deliveries`: a count with its noun in the right number. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
