import { setDataKey } from "../../core/data-keys.ts";

/**
 * Map keys stored escaped. The AWS SDK for JavaScript cannot carry a map key `__proto__` (it builds
 * maps by assignment, which changes a prototype instead of storing the key) and its `marshall`
 * refuses an object with an own `constructor` key, yet vendor attributes may use both names. So such
 * a key is stored with a `~` in front, and a key that starts with `~` gets one more: every key
 * round-trips, and every other key is stored as it is.
 */
const ESCAPE = "~";
const needsEscape = (key: string) => key === "__proto__" || key === "constructor" || key.startsWith(ESCAPE);

function mapKeys(value: unknown, rename: (key: string) => string, renames: (key: string) => boolean): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const mapped = mapKeys(item, rename, renames);
      changed ||= mapped !== item;
      return mapped;
    });
    return changed ? items : value;
  }
  if (value === null || typeof value !== "object") return value;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value; // class instances (Set, Uint8Array) as they are
  const keys = Object.keys(value);
  const entries = keys.map((key) => [key, mapKeys((value as Record<string, unknown>)[key], rename, renames)] as const);
  // Unchanged objects are returned as they are (records without such keys cost no copy).
  if (!keys.some(renames) && entries.every(([key, mapped]) => mapped === (value as Record<string, unknown>)[key])) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [key, mapped] of entries) setDataKey(out, renames(key) ? rename(key) : key, mapped);
  return out;
}

/** @returns `value` with every map key that needs it escaped (at any depth), for storing. */
export function escapeMapKeys<T>(value: T): T {
  return mapKeys(value, (key) => `${ESCAPE}${key}`, needsEscape) as T;
}

/** @returns `value` with every escaped map key restored (the inverse of {@link escapeMapKeys}). */
export function unescapeMapKeys<T>(value: T): T {
  return mapKeys(
    value,
    (key) => key.slice(ESCAPE.length),
    (key) => key.startsWith(ESCAPE),
  ) as T;
}
