/**
 * Valibot issues in plain words, for people editing a configuration file: "unknown key
 * signatureHedaer (did you mean signatureHeader?)", "missing required field defaultCurrency",
 * `"shopfy" is not one of shopify, woocommerce, … (did you mean shopify?)` — never validator jargon.
 */
import { distance } from "fastest-levenshtein";
import type * as v from "valibot";

/** One problem in a configuration: where (a dotted path; empty for the top level) and what, in plain words. */
export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

type AnySchema = v.GenericSchema & {
  readonly wrapped?: AnySchema;
  readonly entries?: Record<string, AnySchema>;
  readonly item?: AnySchema;
  readonly value?: AnySchema;
};

/**
 * @returns the candidate closest to `input` when it is close enough to be a typo (at most a third of
 * its letters wrong, two at most for short words), else `undefined`.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(input.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(2, Math.floor(input.length / 3));
  return best !== undefined && bestDistance > 0 && bestDistance <= allowed ? best : undefined;
}

/** The schema a wrapper (optional, nullable…) wraps, down to the one that holds entries or options. */
function unwrap(schema: AnySchema | undefined): AnySchema | undefined {
  let current = schema;
  while (current?.wrapped) current = current.wrapped;
  return current;
}

/** The schema at a path of keys below `root` (objects, arrays and records), or `undefined`. */
function schemaAt(root: AnySchema, keys: readonly unknown[]): AnySchema | undefined {
  let current: AnySchema | undefined = unwrap(root);
  for (const key of keys) {
    if (!current) return undefined;
    if (current.entries) current = unwrap(current.entries[String(key)]);
    else if (current.item) current = unwrap(current.item);
    else if (current.value) current = unwrap(current.value);
    else return undefined;
  }
  return current;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: "text",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  strict_object: "an object",
  record: "an object",
};

/** A JSON value as the user wrote it, in words (`the number 3`, `text "3"`, `a list`). */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return `text ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (typeof value === "object") return "an object";
  return String(value);
}

const suggestion = (input: string, candidates: readonly string[]): string => {
  const near = didYouMean(input, candidates);
  if (near) return ` (did you mean ${near}?)`;
  return candidates.length <= 8 ? ` (expected one of ${candidates.join(", ")})` : "";
};

function plainMessage(root: AnySchema, issue: v.BaseIssue<unknown>, keys: readonly unknown[]): ConfigIssue {
  const field = keys.join(".");
  const last = issue.path?.at(-1);
  // An unknown key or a missing required one: the issue's path ends at the key itself.
  if ((issue.type === "strict_object" || issue.type === "object") && last?.origin === "key") {
    const parent = keys.slice(0, -1).join(".");
    const key = String(last.key);
    if (issue.expected === "never") {
      const known = Object.keys(schemaAt(root, keys.slice(0, -1))?.entries ?? {}).filter((k) => k !== "$schema");
      return { field: parent, message: `unknown key ${key}${suggestion(key, known)}` };
    }
    return { field: parent, message: `missing required field ${key}` };
  }
  if ((issue.type === "picklist" || issue.type === "variant") && typeof issue.input === "string") {
    const options = [...(issue.expected ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string);
    const near = didYouMean(issue.input, options);
    return {
      field,
      message: `${JSON.stringify(issue.input)} is not one of ${options.join(", ")}${near ? ` (did you mean ${near}?)` : ""}`,
    };
  }
  if (issue.kind === "schema" && TYPE_WORDS[issue.type]) {
    return { field, message: `must be ${TYPE_WORDS[issue.type]}, not ${describeValue(issue.input)}` };
  }
  const requirement = (issue as { requirement?: unknown }).requirement;
  switch (issue.type) {
    case "min_value":
      return { field, message: `must be at least ${String(requirement)}, not ${String(issue.input)}` };
    case "max_value":
      return { field, message: `must be at most ${String(requirement)}, not ${String(issue.input)}` };
    case "integer":
      return { field, message: `must be a whole number, not ${String(issue.input)}` };
    case "min_length":
      return {
        field,
        message: Array.isArray(issue.input)
          ? `needs at least ${String(requirement)} ${requirement === 1 ? "entry" : "entries"}`
          : requirement === 1
            ? "must not be empty"
            : `must be at least ${String(requirement)} characters`,
      };
    case "max_length":
      return {
        field,
        message: `must be at most ${String(requirement)} ${Array.isArray(issue.input) ? "entries" : "characters"}`,
      };
    case "url":
      return { field, message: `must be a URL, not ${describeValue(issue.input)}` };
  }
  // Our own checks (time zones, currencies, schedules, regex descriptions) already speak plainly.
  const own = issue.message.startsWith("Invalid ") ? `is not valid (${issue.message})` : issue.message;
  const plain = issue.type === "regex" && !issue.message.startsWith("Invalid ") ? `must be ${issue.message}` : own;
  return { field, message: plain };
}

/**
 * Turns valibot's issues for `schema` into plain-language problems, one per issue, unions flattened
 * to their closest branch's issues.
 */
export function plainIssues(schema: v.GenericSchema, issues: readonly v.BaseIssue<unknown>[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const keys = (issue.path ?? []).map((item) => item.key);
    if (issue.issues && issue.issues.length > 0 && issue.type === "union") {
      out.push(...plainIssues(schema, issue.issues));
      continue;
    }
    out.push(plainMessage(schema as AnySchema, issue, keys));
  }
  return out;
}
