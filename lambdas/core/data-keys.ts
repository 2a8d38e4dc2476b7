/**
 * Vendor attributes are data: a vendor may name an option or an attribute `__proto__`, `constructor`
 * or `toString`, and it must be kept like any other. In JavaScript, assigning `obj["__proto__"] = v`
 * changes the object's prototype instead of storing a key (and schema libraries drop such keys to
 * stay safe), so maps keyed by vendor data are built with {@link setDataKey}, which always defines an
 * ordinary own property, as `JSON.parse` does.
 */

/** Keys an object literal or a schema library does not treat as plain data. */
export const RESERVED_OBJECT_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Sets `key` on `target` as an own, enumerable data property, whatever the key (`__proto__` included). */
export function setDataKey<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** @returns a plain object holding the entries as own properties (`Object.fromEntries` semantics). */
export function dataMap<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of entries) setDataKey(out, key, value);
  return out;
}
