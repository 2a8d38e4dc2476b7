import { ValidationError } from "./errors.ts";

/**
 * How deeply arrays and objects may nest in a vendor payload (a webhook body, a queued event's
 * mapping, an archived delivery replayed): DynamoDB's own limit for a document attribute, so whatever
 * is accepted can be stored (a record's attributes sit below the payload's envelope). Real payloads
 * nest fewer than 10 levels; one thousands of levels deep would otherwise overflow the stack while
 * being parsed, hashed or queued instead of being answered.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-attributes
 */
export const MAX_JSON_NESTING = 32;

function tooDeep(where: string, field: string, limit: number): ValidationError {
  return new ValidationError(
    `${where} nests arrays and objects more than ${limit} levels deep (the limit for vendor payloads)`,
    { field },
  );
}

/**
 * Checks JSON text for nesting deeper than `limit`, without parsing it (a scan in constant stack).
 * @param where - what the text is, for the message (`body`, `line 12`).
 * @throws {ValidationError} naming the limit and the character position where it was passed.
 */
export function assertJsonTextNesting(text: string, options: { field: string; limit?: number }): void {
  const limit = options.limit ?? MAX_JSON_NESTING;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) throw tooDeep(`${options.field} (at character ${i})`, options.field, limit);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/**
 * Checks a parsed value for nesting deeper than `limit` (an iterative walk, constant stack).
 * @throws {ValidationError} naming the limit.
 */
export function assertValueNesting(value: unknown, options: { field: string; limit?: number }): void {
  const limit = options.limit ?? MAX_JSON_NESTING;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== "object") continue;
    if (depth + 1 > limit) throw tooDeep(options.field, options.field, limit);
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push([child, depth + 1]);
  }
}
