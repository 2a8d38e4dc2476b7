import { ValidationError } from "../errors.ts";

/**
 * A small dotted path into a JSON body, enough for the places vendor APIs put records and cursors:
 *
 * - `products`, `data.products.pageInfo.endCursor`, `_links.next.href` — member access;
 * - `data.products.edges[*].node` — `[*]` fans out over an array;
 * - `items[0].id` — `[n]` picks one element;
 * - `$` (or an empty path) is the body itself; a leading `$.` is allowed.
 *
 * Member names are letters, digits, `_`, `-`, `:` and `@`. This is deliberately not JSONPath: no
 * filters, no recursion, no scripts, so a vendor config can never run code.
 */
export type JsonPath = readonly Step[];

type Step =
  | { readonly kind: "member"; readonly name: string }
  | { readonly kind: "all" }
  | { readonly kind: "index"; readonly index: number };

const SEGMENT = /^([A-Za-z0-9_\-:@]+)?((?:\[(?:\*|\d+)\])*)$/;

/** An invalid path expression in a vendor config. */
export class JsonPathError extends ValidationError {
  constructor(expression: string, message: string) {
    super(`path ${JSON.stringify(expression)}: ${message}`, { field: "path", value: expression });
    this.name = "JsonPathError";
  }
}

/**
 * Parses a path expression.
 *
 * @throws {JsonPathError} for anything outside the grammar above.
 */
export function parseJsonPath(expression: string): JsonPath {
  const text = expression.trim().replace(/^\$(\.|(?=\[)|$)/, "");
  if (text === "") return [];
  const steps: Step[] = [];
  for (const segment of text.split(".")) {
    const match = SEGMENT.exec(segment);
    if (!match || segment === "") {
      throw new JsonPathError(expression, `segment ${JSON.stringify(segment)} is not name, name[*] or name[n]`);
    }
    const [, name, brackets = ""] = match;
    if (name !== undefined) steps.push({ kind: "member", name });
    for (const bracket of brackets.match(/\[(\*|\d+)\]/g) ?? []) {
      const inner = bracket.slice(1, -1);
      steps.push(inner === "*" ? { kind: "all" } : { kind: "index", index: Number(inner) });
    }
  }
  return steps;
}

/** @returns why a path expression is invalid, or `undefined` when it parses (for valibot `check`). */
export function jsonPathIssue(expression: string): string | undefined {
  try {
    parseJsonPath(expression);
    return undefined;
  } catch (error) {
    if (error instanceof JsonPathError) return error.message;
    throw error;
  }
}

/**
 * Evaluates a path. A missing member, an index past the end or a non-object on the way yields no
 * match rather than an error: callers decide whether absence is fine (no next cursor) or not.
 *
 * @returns every value the path reaches, in document order (one at most without `[*]`).
 */
export function selectAll(body: unknown, path: JsonPath | string): unknown[] {
  const steps = typeof path === "string" ? parseJsonPath(path) : path;
  let current: unknown[] = [body];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === "member") {
        if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, step.name)) {
          next.push((value as Record<string, unknown>)[step.name]);
        }
      } else if (Array.isArray(value)) {
        if (step.kind === "all") next.push(...value);
        else if (step.index < value.length) next.push(value[step.index]);
      }
    }
    current = next;
  }
  return current;
}

/** @returns the first value a path reaches, or `undefined`. */
export function selectOne(body: unknown, path: JsonPath | string): unknown {
  return selectAll(body, path)[0];
}

/**
 * The records of a page. A path with `[*]` returns what it reaches (nothing reached = no records); a
 * path without one must reach an array, which holds the records.
 *
 * @throws {ValidationError} when a path without `[*]` does not reach an array.
 */
export function selectRecords(body: unknown, path: JsonPath | string): unknown[] {
  const steps = typeof path === "string" ? parseJsonPath(path) : path;
  const found = selectAll(body, steps);
  if (steps.some((step) => step.kind === "all")) return found;
  const [records] = found;
  if (!Array.isArray(records)) {
    throw new ValidationError(
      `records path ${describe(steps)} ${found.length === 0 ? "matched nothing" : "is not an array"} in the response`,
      { field: "recordsPath" },
    );
  }
  return records;
}

function describe(steps: JsonPath): string {
  if (steps.length === 0) return "$";
  return steps
    .map((step, i) =>
      step.kind === "member" ? `${i === 0 ? "" : "."}${step.name}` : step.kind === "all" ? "[*]" : `[${step.index}]`,
    )
    .join("");
}
